#ifndef WIDGET_H
#define WIDGET_H

#include <string.h>

typedef struct {
	char name[32];
	int hits;
} widget_state;

static inline void widget_touch(widget_state *s) { s->hits++; }

static inline int widget_hits(const widget_state *s) { return s->hits; }

static inline int widget_set_name(widget_state *s, const char *name) {
	if (strlen(name) >= sizeof s->name) {
		return -1;
	}
	strcpy(s->name, name);
	return 0;
}

#endif
