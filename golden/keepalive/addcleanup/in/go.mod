module example.com/addcleanup

go 1.24
