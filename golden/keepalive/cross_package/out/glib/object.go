package glib

// #include <stdlib.h>
// typedef struct { int refs; } GObject;
// static GObject *object_new(void) { GObject *o = malloc(sizeof(GObject)); o->refs = 1; return o; }
// static void object_unref(GObject *o) { if (--o->refs == 0) free(o); }
import "C"

import "runtime"

// Object owns a reference to a C object; a finalizer drops it when the Object is collected.
type Object struct {
	GObject *C.GObject
}

// Take wraps o. The finalizer is a method expression.
func Take(o *C.GObject) *Object {
	obj := &Object{GObject: o}
	runtime.SetFinalizer(obj, (*Object).Unref)
	return obj
}

// New makes a fresh object.
func New() *Object { return Take(C.object_new()) }

// Unref drops the reference.
func (v *Object) Unref() { C.object_unref(v.GObject) }

// InitiallyUnowned embeds the finalized *Object.
type InitiallyUnowned struct {
	*Object
}
