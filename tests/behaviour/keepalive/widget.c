// C half of the keepalive behaviour test: a function that is handed only the
// C buffer of a Widget, calls back into Go (which collects garbage and waits
// for the Widget's finalizer), then re-reads the buffer it was given.

#include <string.h>

#include "widget.h"
#include "_cgo_export.h"

int last_result;

int use_buffer(char *buf) {
	memset(buf, FILL_BYTE, BUF_SIZE);
	goWaitForFinalizer();
	last_result = 0;
	for (int i = 0; i < BUF_SIZE; i++) {
		if ((unsigned char)buf[i] == POISON_BYTE) {
			last_result = 1;
			break;
		}
	}
	return last_result;
}
