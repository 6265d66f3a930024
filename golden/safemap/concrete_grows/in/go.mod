module example.com/grows

go 1.16
