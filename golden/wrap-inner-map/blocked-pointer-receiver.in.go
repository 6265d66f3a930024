package blockedpointerreceiver

type User struct{ Name string }

type index map[string]map[string]*User

func (ix *index) reset() {
	*ix = index{}
}

func (ix index) get(a, b string) *User {
	return ix[a][b]
}
