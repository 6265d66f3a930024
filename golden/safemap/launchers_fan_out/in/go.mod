module example.com/launchers

go 1.25
