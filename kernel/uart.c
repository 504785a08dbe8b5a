// Driver for the NS16550A UART at UART0.
//
// Output has two paths: uartputc_sync() polls and is used by printf and
// the console's echo; uartputc() queues bytes in a ring that the transmit-
// holding-register-empty interrupt drains, so a process writing to the
// console sleeps instead of spinning. Input arrives by the receive
// interrupt and goes to the console's line editor.
#include "defs.h"

#define REG(r) ((volatile u8 *)(UART0 + (r)))
#define RHR 0   // receive holding (read)
#define THR 0   // transmit holding (write)
#define IER 1   // interrupt enable
#define   IER_RX 0x01
#define   IER_TX 0x02
#define FCR 2   // FIFO control (write)
#define   FCR_ENABLE 0x01
#define   FCR_CLEAR  0x06
#define ISR 2   // interrupt status (read)
#define LCR 3   // line control
#define   LCR_8N1    0x03
#define   LCR_DLAB   0x80   // divisor latch access
#define LSR 5   // line status
#define   LSR_RX_READY 0x01
#define   LSR_TX_IDLE  0x20

#define TXSIZE 64
static struct spinlock tx_lock;
static char tx_buf[TXSIZE];
static u64 tx_w, tx_r;    // next to write, next to send (free-running)

extern volatile int panicked;

void uartinit(void) {
  *REG(IER) = 0;
  *REG(LCR) = LCR_DLAB;     // 38400 baud: divisor 3
  *REG(0) = 3;
  *REG(1) = 0;
  *REG(LCR) = LCR_8N1;
  *REG(FCR) = FCR_ENABLE | FCR_CLEAR;
  *REG(IER) = IER_RX | IER_TX;
  initlock(&tx_lock, "uart");
}

// Push queued bytes into the UART while it can take them.
// Called with tx_lock held, from both process and interrupt context.
static void uartstart(void) {
  while (tx_r != tx_w && (*REG(LSR) & LSR_TX_IDLE)) {
    *REG(THR) = tx_buf[tx_r++ % TXSIZE];
    wakeup(&tx_r);          // room in the ring again
  }
}

// Queue one byte, sleeping while the ring is full. Process context only.
void uartputc(int c) {
  acquire(&tx_lock);
  if (panicked) for (;;) ;
  while (tx_w == tx_r + TXSIZE)
    sleep(&tx_r, &tx_lock);
  tx_buf[tx_w++ % TXSIZE] = c;
  uartstart();
  release(&tx_lock);
}

// Write one byte by polling; usable anywhere.
void uartputc_sync(int c) {
  push_off();
  if (panicked) for (;;) ;
  while (!(*REG(LSR) & LSR_TX_IDLE))
    ;
  *REG(THR) = c;
  pop_off();
}

int uartgetc(void) {
  return (*REG(LSR) & LSR_RX_READY) ? *REG(RHR) : -1;
}

// Interrupt: a byte arrived, the transmitter is idle, or both.
void uartintr(void) {
  int c;
  (void)*REG(ISR);          // reading ISR acknowledges a THR-empty interrupt
  while ((c = uartgetc()) >= 0)
    consoleintr(c);
  acquire(&tx_lock);
  uartstart();
  release(&tx_lock);
}
