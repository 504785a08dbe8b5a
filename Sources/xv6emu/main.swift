// xv6emu — entry point. Everything lives in XV6EmuCLI so it can be tested.
#if canImport(Glibc)
import Glibc
#endif
import XV6EmuCLI

exit(XV6Emu.main(CommandLine.arguments))
