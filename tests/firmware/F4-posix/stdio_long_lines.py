# Console output longer than the console's 1 KB transmit buffer in one call: a print, a sys.stdout.write
# and an os.write(1) of several KB arrive whole (expected output: CPython's).
import os
import sys

line = "".join("%04d " % i for i in range(1000))  # 5,000 characters
print(line)
sys.stdout.write(line[:3000] + "\n")
sys.stdout.flush()
print(os.write(1, line.encode() + b"\n"))
print("after", len(line))
