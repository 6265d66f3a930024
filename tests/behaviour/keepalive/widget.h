#ifndef WIDGET_H
#define WIDGET_H

#define BUF_SIZE 64
#define FILL_BYTE 0x5A
#define POISON_BYTE 0xEE

// last_result is 1 when the latest use_buffer call saw its buffer poisoned
// by the owner's finalizer while the call was still using it.
extern int last_result;

// use_buffer fills buf, calls back into Go, then reports (1) whether buf was
// poisoned in the meantime.
int use_buffer(char *buf);

#endif
