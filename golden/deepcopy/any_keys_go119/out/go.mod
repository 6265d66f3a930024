module example.com/anykeys

go 1.19
