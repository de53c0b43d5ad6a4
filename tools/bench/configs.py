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

The nested Hyper-V pair (docs/benchmarks.md, "The nested Hyper-V pair")
runs in L2 of the nested harness (tools/nested: L0 QEMU TCG -> L1 Debian +
KVM -> L2 QEMU/KVM with the hv-* flags), all runs in one L1 boot:
  N-hv  the kernel booted directly in L2, a Hyper-V HVM guest (kvm=off)
  S-hv  xhv (parent: Hyper-V) with the kernel as PV domU, in L2
Their runs share one NestedHarness: it writes one scenario line per planned
run, starts tools/nested/run.py once (at the first run) and cuts its serial
log at the "xhv-l1: begin/end <scenario>" lines; each run's Console is a
slice of that log with times relative to its begin line.
"""
import importlib.util
import os
import re
import select
import signal
import subprocess
import sys
import time


class Unavailable(Exception):
    """A configuration cannot run on this machine (reason in the message)."""


class Context:
    """What every run shares: the guest's files and parameters."""

    def __init__(self, repo, kernel, initramfs, mem, seconds, timeout,
                 hv_overhead=256, xhv=None, xen=None, quiet=True, only=None,
                 out=None, nested_deadline=None):
        self.repo = repo
        self.out = out                  # output directory (nested harness: out/harness)
        self.nested_deadline = nested_deadline  # s for the whole L1 boot, None: computed
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

    def start(self, ctx, smp, log_path, iteration=1):
        return Console(self.argv(ctx, smp), log_path, ctx.timeout)


class Native(Config):
    key = "N"
    title = "native: Debian's kernel booted by QEMU"

    def argv(self, ctx, smp):
        return qemu_base(ctx.mem, smp) + [
            "-kernel", ctx.kernel,
            "-append", ctx.guest_args("console=ttyS0"),
            "-initrd", ctx.initramfs]


def _hv_cmdline(ctx, smp):
    """The hypervisor's own command line (X, S and S-hv)."""
    return (f"console=com1 com1=115200,8n1 dom0_mem={ctx.mem}M "
            f"dom0_max_vcpus={smp}")


def _hv_argv(ctx, image, smp):
    return qemu_base(ctx.mem + ctx.hv_overhead, smp) + [
        "-kernel", image,
        "-append", _hv_cmdline(ctx, smp),
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


# ---- The nested Hyper-V pair ------------------------------------------------

NESTED_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                          "nested")


def _nested_run_py():
    """tools/nested/run.py as a module (for HV_FLAGS: one list of flags)."""
    spec = importlib.util.spec_from_file_location(
        "xhv_nested_run", os.path.join(NESTED_DIR, "run.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _shown(path, repo):
    """A path as printed: relative to the repository when inside it."""
    return os.path.relpath(path, repo) if path.startswith(repo + "/") else path


class NestedConsole:
    """One L2 run of the nested harness: the lines of its scenario in the
    harness's serial log, from its (last) "xhv-l1: begin <name>" line to
    "xhv-l1: end <name>: exit status <rc>", with times relative to the
    begin line. Same interface as Console; kill() and finish() do not
    touch the harness (NestedHarness.close() does). When the run has no
    result, status and reason say why (the runner reports them)."""

    def __init__(self, harness, name, log_path):
        self.h, self.name = harness, name
        self.log_path = log_path
        self.t0 = time.monotonic()
        self.rc = None
        self.t_exit = None
        self.killed = False
        self.status = None      # set when the run has no result
        self.reason = None
        self.extra = {"scenario": name}

    def _collect(self):
        events = []
        begun = None            # serial-log time of the begin line
        attempt = None
        skipping = False
        name = re.escape(self.name)
        begin_re = re.compile(r"xhv-l1: begin (\S+) \(attempt (\d+)\)")
        end_re = re.compile(rf"xhv-l1: end {name}: exit status (\d+)")
        log = open(self.log_path, "w")
        log.write(f"# nested scenario {self.name} (tools/nested/l1.sh): "
                  f"{self.h.lines.get(self.name, '')}\n"
                  f"# times: s since this run's 'xhv-l1: begin' line "
                  f"(whole log: {_shown(self.h.log, self.h.ctx.repo)})\n")
        try:
            while True:
                ev = self.h.next_line()
                if ev is None:
                    why = self.h.failure()
                    if begun is None:
                        self.status, self.reason = "unavailable", why
                    else:
                        self.status = "no result"
                        self.reason = "the harness ended during the run: " + why
                    return events
                t, line = ev
                m = begin_re.search(line)
                if m and m.group(1) != self.name:
                    if self.h.order(m.group(1)) < self.h.order(self.name):
                        # An earlier scenario run again (a second L1 boot):
                        # not ours, and its lines are not either.
                        skipping = True
                        continue
                    # A later scenario's run: this one was never started.
                    self.h.unread(ev)
                    self.status = "no result"
                    self.reason = f"L1 went on to {m.group(1)} without running it"
                    return events
                if m:
                    skipping = False
                if skipping:
                    continue
                if m:
                    # (Again, after a timeout or an L1 that had to be booted
                    # once more): the slice starts over.
                    if begun is not None:
                        log.write(f"# ---- begun again (attempt {m.group(2)}): the lines "
                                  "above are an earlier try, not counted\n")
                        self.extra["restarts"] = self.extra.get("restarts", 0) + 1
                    begun, attempt, events = t, int(m.group(2)), []
                    self.extra["attempts"] = attempt
                    continue
                if begun is None:
                    if f"xhv-l1: {self.name}: already run" in line:
                        self.status, self.reason = "skipped", \
                            self.h.given_up.get(self.name, "already run")
                        return events
                    continue
                m = end_re.search(line)
                if m:
                    rc = int(m.group(1))
                    if rc == 137 and attempt == 1:
                        continue        # l1.sh retries once after a timeout
                    self.rc = rc
                    self.t_exit = t - begun
                    self.killed = rc == 137
                    return events
                events.append((t - begun, line))
                log.write(f"{t - begun:9.3f} {line}\n")
        finally:
            log.close()

    def lines(self, deadline):
        # The harness bounds the run (l1.sh's timeout, run.py's deadline);
        # the runner's deadline is not needed here.
        yield from self._collect()

    def finish(self, grace=10):
        return self.rc

    def kill(self):
        pass


class NestedHarness:
    """One run of tools/nested/run.py for every planned N-hv/S-hv run."""

    def __init__(self):
        self.prepared = None    # None, True or an Unavailable
        self.image = None
        self.info = {}
        self.ctx = None
        self.names = []
        self.lines = {}         # scenario name -> its line
        self.given_up = {}      # scenario name -> why
        self.p = None
        self.buf = b""
        self.pending = []
        self.logf = None
        self.dir = None
        self.log = None
        self.share = None
        self.t_started = None

    def prepare(self, ctx):
        """Find (or build, ~45 s once) the L1 image; Unavailable if not."""
        if self.prepared is True:
            return
        if self.prepared is not None:
            raise self.prepared
        try:
            run_py = _nested_run_py()
            self.hv_flags = run_py.HV_FLAGS
            self.l1_append = run_py.L1_APPEND
            self.dir = os.path.join(ctx.out, "harness")
            os.makedirs(self.dir, exist_ok=True)
            err = os.path.join(self.dir, "build-l1.err")
            with open(err, "wb") as ef:
                p = subprocess.run([os.path.join(NESTED_DIR, "build-l1.sh")],
                                   stdout=subprocess.PIPE, stderr=ef, cwd=ctx.repo)
            text = open(err, errors="replace").read()
            if p.returncode == 77:
                why = re.search(r"CANNOT BUILD the nested L1 image: (.*)", text)
                raise Unavailable("no nested L1 image: " +
                                  (why.group(1) if why else "tools/nested/build-l1.sh says it cannot build here"))
            if p.returncode != 0:
                raise Unavailable(f"tools/nested/build-l1.sh failed (status {p.returncode}; "
                                  f"{_shown(err, ctx.repo)})")
            self.image = p.stdout.decode().strip()
            try:
                for ln in open(os.path.join(self.image, "info")):
                    k, _, v = ln.strip().partition("=")
                    self.info[k] = v
            except OSError:
                pass
            self.prepared = True
        except Unavailable as e:
            self.prepared = e
            raise
        except Exception as e:  # never a crash of the benchmark
            self.prepared = Unavailable(f"nested harness: {e}")
            raise self.prepared

    @staticmethod
    def name(key, smp, iteration):
        return f"bench-{key}-smp{smp}-{iteration}"

    def schedule(self, ctx, entries):
        """entries: [(config, smp, iteration)] in run order; one scenario
        line each (fields: tools/nested/l1.sh)."""
        self.ctx = ctx
        self.names = []
        for cfg, smp, it in entries:
            n = self.name(cfg.key, smp, it)
            self.names.append(n)
            self.lines[n] = cfg.scenario(ctx, smp, n)
        self.scenarios = os.path.join(self.dir, "scenarios")
        with open(self.scenarios, "w") as f:
            f.write("".join(self.lines[n] + "\n" for n in self.names))

    def deadline(self):
        if self.ctx.nested_deadline:
            return int(self.ctx.nested_deadline)
        # L1's boot, then every run at its timeout (a retry after a
        # timeout counts against the same budget).
        return int(300 + len(self.names) * self.ctx.timeout)

    def l1_mem(self):
        return max(1024, self.ctx.mem + self.ctx.hv_overhead + 512)

    def command(self):
        ctx = self.ctx
        # run.py wants an xhv image even when only N-hv runs (it only
        # copies it into the share folder).
        xhv = ctx.xhv if ctx.xhv and os.path.isfile(ctx.xhv) else ctx.kernel
        return [sys.executable, os.path.join(NESTED_DIR, "run.py"),
                "--image", self.image, "--scenarios", self.scenarios,
                "--deadline", str(self.deadline()), "--xhv", xhv,
                "--kernel", ctx.kernel, "--initramfs", ctx.initramfs,
                "--share", os.path.join(self.dir, "share"),
                "--log", os.path.join(self.dir, "serial.log"),
                "--l1-mem", str(self.l1_mem())]

    def start(self):
        self.log = os.path.join(self.dir, "serial.log")
        self.share = os.path.join(self.dir, "share")
        for f in (self.log, os.path.join(self.dir, "run.out")):
            try:
                os.unlink(f)
            except FileNotFoundError:
                pass
        self.t_started = time.monotonic()
        self.p = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL,
                                  stdout=open(os.path.join(self.dir, "run.out"), "wb"),
                                  stderr=subprocess.STDOUT, cwd=self.ctx.repo,
                                  start_new_session=True)
        print(f"bench: nested harness started: {len(self.names)} L2 runs in one L1 boot "
              f"(deadline {self.deadline()} s); log "
              f"{_shown(self.log, self.ctx.repo)}", flush=True)

    def console(self, name, log_path):
        if self.p is None:
            self.start()
        return NestedConsole(self, name, log_path)

    def order(self, name):
        return self.names.index(name) if name in self.names else len(self.names)

    def unread(self, ev):
        self.pending.insert(0, ev)

    def next_line(self):
        """The next (time, line) of the serial log (run.py's time stamps:
        s since it started), or None once run.py has exited and the log is
        read to its end."""
        if self.pending:
            return self.pending.pop(0)
        while True:
            if self.logf is None and os.path.exists(self.log):
                self.logf = open(self.log, "rb")
            exited = self.p.poll() is not None
            data = self.logf.read() if self.logf else b""
            if data:
                self.buf += data
            if b"\n" in self.buf:
                raw, self.buf = self.buf.split(b"\n", 1)
                line = raw.decode(errors="replace").rstrip("\r")
                m = re.match(r"\[\s*([0-9.]+)\] ?(.*)", line)
                if not m:
                    continue
                t, line = float(m.group(1)), m.group(2)
                if "xhv-l1: ready at" in line:
                    print(f"bench: nested: L1 ready {t:.1f} s after run.py started", flush=True)
                return t, line
            if exited and not data:
                return None
            time.sleep(0.05)

    def failure(self):
        """Why the harness ended (for runs without a result)."""
        rc = self.p.poll() if self.p else None
        why = []
        fatal = os.path.join(self.share or "", "out", "l1-fatal")
        if self.share and os.path.exists(fatal):
            why.append("L1: " + open(fatal).read().strip())
        notes = []
        try:
            notes = [ln.strip() for ln in open(os.path.join(self.dir, "run.out"), errors="replace")
                     if ln.startswith("nested: ") and "scenario " not in ln]
        except OSError:
            pass
        if rc == 77:
            why.append("no L1 image")
        elif rc is not None:
            why.append(f"tools/nested/run.py exit status {rc}")
        if notes:
            why.append(notes[-1])
        return "; ".join(why) or "the harness stopped"

    def give_up(self, names, why):
        """Runs not to make after all: an out/<name>.rc file makes l1.sh
        skip the scenario (as one run in an earlier L1 boot)."""
        out = os.path.join(self.share or os.path.join(self.dir, "share"), "out")
        for n in names:
            self.given_up[n] = why
            try:
                with open(os.path.join(out, n + ".rc"), "w") as f:
                    f.write("skipped by tools/bench: %s\n" % why)
            except OSError:
                pass

    def close(self, grace=60):
        """After the last run: L1 powers off by itself; else end it (run.py
        kills its L0 on SIGTERM)."""
        if self.p is None:
            return
        try:
            self.p.wait(grace)
        except subprocess.TimeoutExpired:
            self.kill()
        if self.logf:
            self.logf.close()
            self.logf = None

    def kill(self):
        if self.p is not None and self.p.poll() is None:
            try:
                os.killpg(self.p.pid, signal.SIGTERM)
                self.p.wait(15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.p.wait()

    def describe(self):
        if not self.image:
            return {}
        return {"l1_image": self.image, "l1_image_info": self.info,
                "run_py": self.command() if self.ctx and self.names else None,
                "l0": "qemu-system-x86_64 -accel tcg -machine q35 -cpu qemu64,+svm,+npt -smp 1",
                "l1_append": self.l1_append,
                "scenarios": [self.lines[n] for n in self.names]}


NESTED = NestedHarness()


class NestedConfig(Config):
    """A configuration in L2 of the nested harness (one L1 boot for all)."""
    harness = NESTED

    def prepare(self, ctx):
        self.harness.prepare(ctx)

    def scenario(self, ctx, smp, name):
        raise NotImplementedError

    def argv(self, ctx, smp):
        """For results.json: the scenario line of the first run."""
        if self.harness.prepared is not True:
            return None
        return ["tools/nested/l1.sh scenario",
                self.scenario(ctx, smp, NestedHarness.name(self.key, smp, 1))]

    def start(self, ctx, smp, log_path, iteration=1):
        return self.harness.console(NestedHarness.name(self.key, smp, iteration), log_path)


def _field(s):
    if "|" in s or "\n" in s:
        raise ValueError(f"cannot put {s!r} into a scenario line")
    return s


class NestedNative(NestedConfig):
    key = "N-hv"
    title = "nested: the kernel booted directly in L2 as a Hyper-V HVM guest (kvm=off)"

    def scenario(self, ctx, smp, name):
        # l1.sh always passes -initrd "vmlinuz <args>,initramfs.cpio.gz"
        # (the module list xhv wants); QEMU takes the last -initrd given.
        return "|".join(map(_field, [
            name, str(int(ctx.timeout)), str(smp), str(ctx.mem),
            self.harness.hv_flags + ",kvm=off", "vmlinuz",
            ctx.guest_args("console=ttyS0"), "-",
            "-initrd /host/initramfs.cpio.gz"]))


class NestedXhv(NestedConfig):
    key = "S-hv"
    title = "nested: xhv (parent: Hyper-V) with the kernel as PV domU in L2"

    def prepare(self, ctx):
        if not ctx.xhv or not os.path.isfile(ctx.xhv):
            raise Unavailable(f"no xhv image at {ctx.xhv} (make build/xhv)")
        self.harness.prepare(ctx)

    def scenario(self, ctx, smp, name):
        guest = ctx.guest_args("console=hvc0 earlyprintk=xen")
        if "," in guest:
            raise ValueError("the guest's command line goes into a comma-separated module list")
        return "|".join(map(_field, [
            name, str(int(ctx.timeout)), str(smp), str(ctx.mem + ctx.hv_overhead),
            self.harness.hv_flags, "xhv", _hv_cmdline(ctx, smp), guest, ""]))


# Column order in tables and in the interleaving of runs.
CONFIGS = {c.key: c for c in (Native(), XenDom0(), Xhv(), NestedNative(), NestedXhv())}
NESTED_KEYS = [k for k, c in CONFIGS.items() if isinstance(c, NestedConfig)]
