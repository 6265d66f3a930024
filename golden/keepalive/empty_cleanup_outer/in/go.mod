module example.com/attrs

go 1.24
