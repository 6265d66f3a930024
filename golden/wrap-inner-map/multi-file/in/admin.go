package multifile

func (r *registry) admins() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var names []string
	for region, users := range r.byRegion {
		for name, u := range users {
			if u.Admin {
				names = append(names, region+"/"+name)
			}
		}
	}
	return names
}

func (r *registry) replace(region string, users map[string]*User) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.byRegion[region] = users
}
