// qstrs of the MicroPythonRT rp2 port whose text cannot be spelled as a C identifier: they must be
// listed here so that MP_QSTR__slash_lib means "/lib" (an automatically collected MP_QSTR_x means "x").

// The frozen-module search path entry added to sys.path in main.c.
Q(/lib)

// Open modes of files opened through lib/posix (ports/rp2/posix/mp_vfs_posix.c).
Q(r+b)
Q(w+b)
