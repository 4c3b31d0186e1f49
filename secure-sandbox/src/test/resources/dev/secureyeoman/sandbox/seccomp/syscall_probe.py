# Test helper: runs syscalls through libc and prints one "name=result" line each (result: ok or the errno name).
# Usage: python3 syscall_probe.py WORKDIR
import ctypes
import errno
import os
import subprocess
import sys
import threading

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def report(name, rc):
    if rc == -1:
        e = ctypes.get_errno()
        print("%s=%s" % (name, errno.errorcode.get(e, str(e))), flush=True)
    else:
        print("%s=ok" % name, flush=True)


def status():
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("Seccomp", "NoNewPrivs"):
                print("%s=%s" % (key.lower(), value.strip()), flush=True)


def file_io(workdir):
    path = os.path.join(workdir, "probe.txt")
    with open(path, "w") as f:
        f.write("hello")
    with open(path) as f:
        ok = f.read() == "hello"
    os.unlink(path)
    print("file=%s" % ("ok" if ok else "mismatch"), flush=True)


def pipe():
    r, w = os.pipe()
    os.write(w, b"x")
    ok = os.read(r, 1) == b"x"
    os.close(r)
    os.close(w)
    print("pipe=%s" % ("ok" if ok else "mismatch"), flush=True)


def thread():
    box = []
    t = threading.Thread(target=lambda: box.append(1))
    t.start()
    t.join()
    print("thread=%s" % ("ok" if box == [1] else "failed"), flush=True)


def run_true():
    try:
        rc = subprocess.run(["/bin/true"]).returncode
        print("exec=%s" % ("ok" if rc == 0 else "exit%d" % rc), flush=True)
    except OSError as e:
        print("exec=%s" % errno.errorcode.get(e.errno, str(e.errno)), flush=True)


def sock(name, domain):
    fd = libc.socket(domain, 1, 0)  # SOCK_STREAM
    report(name, fd)
    if fd >= 0:
        os.close(fd)


status()
file_io(sys.argv[1])
pipe()
thread()
run_true()
sock("socket_unix", 1)
sock("socket_inet", 2)
sock("socket_inet6", 10)
report("clone3", libc.syscall(435, None, ctypes.c_long(0)))
report("mount", libc.mount(b"none", b"/nonexistent-secureyeoman-probe", b"tmpfs", ctypes.c_ulong(0), None))
report("unshare_user", libc.unshare(0x10000000))
report("ptrace_traceme", libc.ptrace(0, 0, None, None))  # last: if it succeeds the probe is now traced
