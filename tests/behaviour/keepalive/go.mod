module example.com/keepalivebehaviour

go 1.22
