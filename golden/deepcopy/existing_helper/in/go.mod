module example.com/existing

go 1.18
