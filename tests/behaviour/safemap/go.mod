module example.com/safemapbehaviour

go 1.22
