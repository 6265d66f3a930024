package gtk

// static int widget_show(void *w) { return w != 0; }
// static void *to_widget(void *p) { return p; }
import "C"

import (
	"unsafe"

	"example.com/bind/glib"
)

// Widget embeds a type of package glib that embeds the finalized *glib.Object:
// its C handle is v.GObject, promoted from there.
type Widget struct {
	glib.InitiallyUnowned
}

// native is an accessor: a nil guard, then the receiver's handle through a C cast helper.
func (v *Widget) native() unsafe.Pointer {
	if v == nil || v.GObject == nil {
		return nil
	}
	p := unsafe.Pointer(v.GObject)
	return C.to_widget(p)
}

// Show hands C only what native returns: nothing keeps v, and the glib.Object it
// embeds, alive while C runs.
func (v *Widget) Show() int {
	return int(C.widget_show(v.native()))
}

// Label embeds Widget: the accessor is promoted.
type Label struct {
	Widget
}

// Refresh calls C twice with the label's handle.
func (v *Label) Refresh() {
	C.widget_show(v.native())
	C.widget_show(v.native())
}

// NewLabel wraps a fresh object.
func NewLabel() *Label {
	return &Label{Widget{glib.InitiallyUnowned{Object: glib.New()}}}
}
