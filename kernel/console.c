// The console device: a line editor over the UART.
//
// Typed characters are echoed and collected in a ring; a reader sees
// nothing until a whole line (or ^D) is there. Editing keys:
//   backspace / DEL  erase a character     ^U  erase the line
//   ^D               end of file           ^P  list processes
#include "defs.h"
#include "file.h"

#define CTRL(x) ((x) - '@')
#define BACKSPACE 0x100   // consputc: erase the previous character on screen

#define INPUT 128
static struct {
  struct spinlock lock;
  char buf[INPUT];
  u64 r;  // next byte a reader takes
  u64 w;  // end of the last completed line
  u64 e;  // end of the line being edited
} cons;

// Print one character for the kernel (printf, echo), polling the UART.
void consputc(int c) {
  if (c == BACKSPACE) {
    uartputc_sync('\b'); uartputc_sync(' '); uartputc_sync('\b');
  } else {
    uartputc_sync(c);
  }
}

static int consolewrite(int user_src, u64 src, int n) {
  int i;
  for (i = 0; i < n; i++) {
    char c;
    if (either_copyin(&c, user_src, src + i, 1) < 0)
      break;
    uartputc(c);
  }
  return i;
}

// Read up to one line. ^D at the start of a read returns 0 (end of file);
// after some bytes it ends the read and is consumed by the next one.
static int consoleread(int user_dst, u64 dst, int n) {
  int want = n;
  acquire(&cons.lock);
  while (n > 0) {
    while (cons.r == cons.w) {
      if (killed(myproc())) {
        release(&cons.lock);
        return -1;
      }
      sleep(&cons.r, &cons.lock);
    }
    char c = cons.buf[cons.r++ % INPUT];
    if (c == CTRL('D')) {
      if (n < want) cons.r--;   // leave it for the next read
      break;
    }
    if (either_copyout(user_dst, dst, &c, 1) < 0)
      break;
    dst++;
    n--;
    if (c == '\n')
      break;
  }
  release(&cons.lock);
  return want - n;
}

// One input character from the UART interrupt.
void consoleintr(int c) {
  acquire(&cons.lock);
  switch (c) {
  case CTRL('P'):
    procdump();
    break;
  case CTRL('U'):
    while (cons.e != cons.w && cons.buf[(cons.e - 1) % INPUT] != '\n') {
      cons.e--;
      consputc(BACKSPACE);
    }
    break;
  case CTRL('H'):
  case 0x7f:
    if (cons.e != cons.w) {
      cons.e--;
      consputc(BACKSPACE);
    }
    break;
  default:
    if (c != 0 && cons.e - cons.r < INPUT) {
      if (c == '\r') c = '\n';
      consputc(c);
      cons.buf[cons.e++ % INPUT] = c;
      if (c == '\n' || c == CTRL('D') || cons.e - cons.r == INPUT) {
        cons.w = cons.e;
        wakeup(&cons.r);
      }
    }
    break;
  }
  release(&cons.lock);
}

void consoleinit(void) {
  initlock(&cons.lock, "cons");
  uartinit();
  devsw[CONSOLE].read = consoleread;
  devsw[CONSOLE].write = consolewrite;
}
