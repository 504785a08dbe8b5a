import XV6EmuCLI
print("xv6emu")
