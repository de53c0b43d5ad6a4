"""The benchmark's configurations: how to start one run of the guest and
how to read its console.

A configuration is a Config subclass with a short key (the column name in
the tables), a title, prepare() (find or fetch what it needs once, raise
Unavailable when it cannot) and start(ctx, smp, log) which returns a Console:
an object whose lines() yields (seconds since the run started, line) for
each line the guest's console printed, until the run ends or the deadline
passes, and which then knows the exit status. The runner sees nothing else,
so a configuration that boots differently (the nested Hyper-V harness: L0
QEMU -> L1 Linux + KVM -> L2 QEMU) only needs its own start() and Console.

The three TCG configurations share one QEMU command line (machine, CPU
model, vCPUs, devices) and differ only in what QEMU's -kernel is:
  N  Debian's kernel itself, console ttyS0
  X  Debian's Xen 4.17 with the kernel as PV dom0, console hvc0 via Xen's
     serial
  S  xhv with the kernel as PV domU, console hvc0 via xhv's serial
The guest sees the same RAM in all three (dom0_mem= for X and S; QEMU's -m
there is larger by the hypervisor's own share).
"""
import os
import select
import signal
import subprocess
import time


class Unavailable(Exception):
    """A configuration cannot run on this machine (reason in the message)."""


class Context:
    """What every run shares: the guest's files and parameters."""

    def __init__(self, repo, kernel, initramfs, mem, seconds, timeout,
                 hv_overhead=256, xhv=None, xen=None, quiet=True, only=None):
        self.repo = repo
        self.kernel = kernel
        self.initramfs = initramfs
        self.mem = mem                  # guest RAM, MiB
        self.hv_overhead = hv_overhead  # QEMU RAM on top for X and S, MiB
        self.seconds = seconds          # per guest metric
        self.timeout = timeout          # hard limit per run, s
        self.xhv = xhv
        self.xen = xen
        self.quiet = quiet
        self.only = only                # a subset of the metrics (diagnosis)

    def guest_args(self, console):
        """The guest's command line: the same for every configuration but
        for its console."""
        a = console + " rdinit=/init panic=-1"
        if self.quiet:
            a += " quiet"
        a += f" xhvbench.seconds={self.seconds:g}"
        if self.only:
            a += " xhvbench.only=" + "+".join(self.only)
        return a


def qemu_base(mem, smp):
    return ["qemu-system-x86_64", "-machine", "pc,accel=tcg", "-cpu", "qemu64",
            "-m", str(mem), "-smp", str(smp), "-nodefaults", "-display", "none",
            "-no-reboot", "-serial", "stdio",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]


def module(path, args=""):
    """One -initrd module; QEMU splits modules on commas, so double them."""
    s = f"{path} {args}".strip()
    return s.replace(",", ",,")


class Console:
    """One QEMU process whose serial port is its stdout. The process runs
    under timeout(1) in its own process group: the hard limit holds even if
    this script dies, and kill() ends exactly the group we started."""

    def __init__(self, argv, log_path, hard_limit):
        self.argv = argv
        # The log: each console line with the host's time since QEMU started.
        self.log = open(log_path, "wb")
        self.log.write(("# " + " ".join(argv) + "\n").encode())
        self.t0 = time.monotonic()
        self.p = subprocess.Popen(
            ["timeout", "-s", "KILL", str(int(hard_limit) + 5)] + argv,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True)
        self.rc = None          # exit status, None while running / killed
        self.t_exit = None      # seconds from start to EOF on the console
        self.killed = False

    def lines(self, deadline):
        """Yield (t, line) per console line until EOF or until deadline()
        (seconds since start, re-read each time) has passed."""
        buf = b""
        fd = self.p.stdout.fileno()
        while True:
            left = deadline() - (time.monotonic() - self.t0)
            if left <= 0:
                return
            r, _, _ = select.select([fd], [], [], min(left, 0.5))
            if not r:
                continue
            data = os.read(fd, 65536)
            t = time.monotonic() - self.t0
            if not data:
                self.t_exit = t
                if buf:
                    line = buf.decode(errors="replace").rstrip("\r")
                    self.log.write(f"{t:9.3f} {line}\n".encode())
                    yield t, line
                return
            buf += data
            *done, buf = buf.split(b"\n")
            for raw in done:
                line = raw.decode(errors="replace").rstrip("\r")
                self.log.write(f"{t:9.3f} {line}\n".encode())
                yield t, line

    def finish(self, grace=10):
        """Wait for the exit status (after EOF), killing the process group
        if it does not come; returns the status or None."""
        try:
            self.rc = self.p.wait(grace)
        except subprocess.TimeoutExpired:
            self.kill()
        if self.t_exit is None and self.rc is not None:
            self.t_exit = time.monotonic() - self.t0
        self.log.close()
        return self.rc

    def kill(self):
        if self.p.poll() is None:
            self.killed = True
            try:
                os.killpg(self.p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.p.wait()


class Config:
    key = "?"
    title = ""

    def prepare(self, ctx):
        """Find what this configuration needs; raise Unavailable if not."""

    def argv(self, ctx, smp):
        raise NotImplementedError

    def start(self, ctx, smp, log_path):
        return Console(self.argv(ctx, smp), log_path, ctx.timeout)


class Native(Config):
    key = "N"
    title = "native: Debian's kernel booted by QEMU"

    def argv(self, ctx, smp):
        return qemu_base(ctx.mem, smp) + [
            "-kernel", ctx.kernel,
            "-append", ctx.guest_args("console=ttyS0"),
            "-initrd", ctx.initramfs]


def _hv_argv(ctx, image, smp):
    return qemu_base(ctx.mem + ctx.hv_overhead, smp) + [
        "-kernel", image,
        "-append", f"console=com1 com1=115200,8n1 dom0_mem={ctx.mem}M "
                   f"dom0_max_vcpus={smp}",
        "-initrd", module(ctx.kernel, ctx.guest_args("console=hvc0 earlyprintk=xen"))
        + "," + module(ctx.initramfs)]


class XenDom0(Config):
    key = "X"
    title = "Xen 4.17 (Debian) with the kernel as PV dom0"

    def prepare(self, ctx):
        if ctx.xen:
            return
        try:
            ctx.xen = subprocess.check_output(
                [os.path.join(ctx.repo, "tools/bench/fetch-xen.sh")],
                stderr=None).decode().strip()
        except subprocess.CalledProcessError as e:
            raise Unavailable(f"no Xen hypervisor (tools/bench/fetch-xen.sh: {e})")

    def argv(self, ctx, smp):
        return _hv_argv(ctx, ctx.xen, smp)


class Xhv(Config):
    key = "S"
    title = "xhv with the kernel as PV domU"

    def prepare(self, ctx):
        if not ctx.xhv or not os.path.isfile(ctx.xhv):
            raise Unavailable(f"no xhv image at {ctx.xhv} (make build/xhv)")

    def argv(self, ctx, smp):
        return _hv_argv(ctx, ctx.xhv, smp)


# Column order in tables and in the interleaving of runs.
CONFIGS = {c.key: c for c in (Native(), XenDom0(), Xhv())}
