// qstrs specific to the MicroPythonRT rp2 port (none beyond those found in the sources).
