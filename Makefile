# Builds the bundled teaching kernel and its file-system image, and runs
# them under xv6emu or QEMU. The emulator itself is built by SwiftPM
# (swift build); nothing here needs it except the run targets.
#
#   make                  kernel + fs.img for the default variant
#   make TIMER=sstc       the Sstc (stimecmp) timer instead of CLINT + M-mode
#   make run              boot under xv6emu        (CPUS=3 by default)
#   make qemu             boot under qemu-system-riscv64
#   make qemu-gdb         ... halted, waiting for gdb on port $(GDBPORT)
#   make images           rebuild kernel-images/ (the prebuilt default)
#   make bench            benchmark xv6emu against QEMU (writes BENCHMARKS.md)
#
# VIRTIO=legacy|modern picks the virtio-mmio interface the emulator offers
# (the driver speaks both); TIMER picks what is compiled in.

TIMER  ?= clint
VIRTIO ?= legacy
CPUS   ?= 3
GDBPORT ?= 26000
XV6EMU ?= .build/release/xv6emu
QEMU   ?= qemu-system-riscv64

TOOLPREFIX ?= riscv64-unknown-elf-
CC = $(TOOLPREFIX)gcc
LD = $(TOOLPREFIX)ld
OBJCOPY = $(TOOLPREFIX)objcopy

B = build/$(TIMER)

CFLAGS = $(XCFLAGS) -march=rv64gc -mabi=lp64d -mcmodel=medany -O2 -ggdb -gdwarf-4 \
         -fno-omit-frame-pointer -ffile-prefix-map=$(CURDIR)=. -ffreestanding -fno-builtin -fno-common \
         -fno-tree-loop-distribute-patterns -fno-stack-protector -fno-pie -no-pie \
         -nostdlib -Wall -Werror -MD -I.
ifeq ($(TIMER),sstc)
CFLAGS += -DTIMER_SSTC
else ifneq ($(TIMER),clint)
$(error TIMER must be clint or sstc)
endif
ifeq ($(filter $(VIRTIO),legacy modern),)
$(error VIRTIO must be legacy or modern)
endif
LDFLAGS = -z max-page-size=4096 --no-warn-rwx-segments

KOBJS = entry.o start.o mtrap.o main.o printf.o uart.o console.o spinlock.o \
        sleeplock.o string.o kalloc.o vm.o proc.o swtch.o trampoline.o \
        kernelvec.o trap.o plic.o virtio_disk.o bio.o fs.o file.o pipe.o \
        exec.o syscall.o sysproc.o sysfile.o initcode.o
KOBJS := $(addprefix $(B)/kernel/,$(KOBJS))

ULIB = $(addprefix $(B)/user/,ulib.o usys.o printf.o umalloc.o)
UPROGS = init sh echo cat ls grep wc mkdir rm ln kill free halt sleep \
         cowtest usertests bench
UBINS = $(addprefix $(B)/user/_,$(UPROGS))

all: $(B)/kernel/kernel $(B)/fs.img

$(B)/kernel/%.o: kernel/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<
$(B)/kernel/%.o: kernel/%.S
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -I kernel -c -o $@ $<
$(B)/kernel/kernel: $(KOBJS) kernel/kernel.ld
	$(LD) $(LDFLAGS) -T kernel/kernel.ld -o $@ $(KOBJS)

$(B)/user/%.o: user/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<
$(B)/user/%.o: user/%.S
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<
$(B)/user/_%: $(B)/user/%.o $(ULIB) user/user.ld
	$(LD) $(LDFLAGS) -T user/user.ld -o $@ $< $(ULIB)

$(B)/fs.img: tools/mkfs.py $(UBINS)
	python3 tools/mkfs.py $@ $(UBINS)

-include $(B)/kernel/*.d $(B)/user/*.d

# Run a scratch copy of the image so the build's stays pristine.
ifeq ($(VIRTIO),modern)
VIRTIOFLAG = -global virtio-mmio.force-legacy=false
endif
EMUFLAGS = -machine virt -bios none -kernel $(B)/kernel/kernel -m 128M -smp $(CPUS) \
           -nographic $(VIRTIOFLAG) -drive file=$(B)/run.img,if=none,format=raw,id=x0 \
           -device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0

$(B)/run.img: $(B)/fs.img
	cp $< $@

run: all $(B)/run.img
	$(XV6EMU) $(EMUFLAGS)
run-gdb: all $(B)/run.img
	$(XV6EMU) $(EMUFLAGS) -S -gdb tcp::$(GDBPORT)
qemu: all $(B)/run.img
	$(QEMU) $(EMUFLAGS)
qemu-gdb: all $(B)/run.img
	$(QEMU) $(EMUFLAGS) -S -gdb tcp::$(GDBPORT)

# The prebuilt images xv6emu boots with no arguments.
images:
	$(MAKE) TIMER=clint all
	cp build/clint/kernel/kernel kernel-images/kernel
	cp build/clint/fs.img kernel-images/fs.img
	sh tools/write-manifest.sh > kernel-images/MANIFEST

# Side by side with qemu-system-riscv64; writes BENCHMARKS.md. Not a test.
bench:
	python3 tools/bench.py --write BENCHMARKS.md

print-cflags:
	@echo $(CFLAGS)

clean:
	rm -rf build

.PHONY: all run run-gdb qemu qemu-gdb images bench print-cflags clean
.PRECIOUS: $(B)/user/%.o
