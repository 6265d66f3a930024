package blocked

import "fmt"

var (
	byAddr  = map[string]int{}
	byValue = map[string]int{}
	copied  = map[string]int{}
)

func start(k string) {
	go func() {
		byAddr[k] = 1
		byValue[k] = 2
		copied[k] = 3
	}()
}

func use() {
	p := &byAddr
	_ = p
	fmt.Println(byValue)
	alias := copied
	_ = alias
}
