module example.com/maptoc

go 1.22
