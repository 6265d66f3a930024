module example.com/deepcopybehaviour

go 1.21
