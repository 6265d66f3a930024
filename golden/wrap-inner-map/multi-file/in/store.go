package multifile

func (r *registry) add(region string, u *User) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byRegion[region] == nil {
		r.byRegion[region] = make(map[string]*User)
	}
	r.byRegion[region][u.Name] = u
	r.total++
}

func (r *registry) get(region, name string) (*User, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	u, ok := r.byRegion[region][name]
	return u, ok
}

// snapshot copies one region while the lock is held.
func (r *registry) snapshot(region string) map[string]*User {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make(map[string]*User, len(r.byRegion[region]))
	for k, v := range r.byRegion[region] {
		out[k] = v
	}
	return out
}
