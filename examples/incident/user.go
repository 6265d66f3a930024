package main

// User is the value type stored, by pointer, in the nested maps below.
type User struct {
	ID   string
	Name string
}
