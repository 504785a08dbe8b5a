// The parts of libelf (Debian libelf-dev, elfutils) the ELF loader uses.
#include <libelf.h>
#include <gelf.h>
