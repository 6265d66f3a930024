module example.com/wrapbehaviour

go 1.22
