#!/usr/bin/env python3
# Usage (root): scripts/first-ping-probe.py LAUNCHER[,LAUNCHER...] [N] [VAR=VALUE...]: spawns each launcher (e.g. bin/berthd) N times in turn
# in a throw-away network namespace, with --containerd at a socket nobody serves (no containerd start), and prints spawn to
# the first /_ping answer (polled every 2 ms) and the CPU berthd had used by then; VAR=VALUE go into its environment.
import os, sys, time, socket, subprocess, shutil, tempfile, signal
launchers = sys.argv[1].split(","); n = int(sys.argv[2]) if len(sys.argv) > 2 else 5
extra_env = dict(kv.split('=',1) for kv in sys.argv[3:])
ns = "first-ping-probe"
subprocess.run(["ip","netns","add",ns], check=True)
subprocess.run(["ip","-n",ns,"link","set","lo","up"], check=True)
def ping(path):
    s = socket.socket(socket.AF_UNIX); s.settimeout(30)
    try:
        s.connect(path); s.sendall(b"GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n"); d = s.recv(4096)
        return d.startswith(b"HTTP/1.1 200")
    finally: s.close()
res = {l: [] for l in launchers}
try:
  for i in range(n * len(launchers)):
    launcher = launchers[i % len(launchers)]
    d = tempfile.mkdtemp(prefix="first-ping-probe-"); sock = d + "/berth.sock"
    env = dict(os.environ); env.update(extra_env)
    t0 = time.monotonic()
    p = subprocess.Popen(["nsenter","--net=/run/netns/"+ns, launcher, "--socket", sock, "--state-dir", d+"/state", "--run-dir", d+"/run",
        "--netns-prefix","fpp-","--cgroup-parent","/first-ping-probe","--containerd", d+"/none.sock"], stdout=open(d+"/log","w"), stderr=subprocess.STDOUT, env=env)
    ms = None
    while time.monotonic() - t0 < 30:
        if os.path.exists(sock):
            try:
                if ping(sock): ms = (time.monotonic()-t0)*1000; break
            except OSError: pass
        time.sleep(0.002)
    # the java pid: nsenter execs? nsenter forks. find child
    cpu = "?"
    try:
        kids = subprocess.run(["pgrep","-P",str(p.pid)],capture_output=True,text=True).stdout.split()
        pid = kids[0] if kids else str(p.pid)
        st = open(f"/proc/{pid}/stat").read().rsplit(")",1)[1].split()
        cpu = (int(st[11])+int(st[12]))*10
    except Exception as e: cpu = repr(e)
    res[launcher].append((ms, cpu))
    print(f"run {i} {launcher}: first ping {ms:.0f} ms, berthd cpu at that time {cpu} ms", flush=True)
    time.sleep(float(os.environ.get("PROBE_HOLD","0"))); p.send_signal(signal.SIGTERM)
    try: p.wait(20)
    except subprocess.TimeoutExpired: p.kill(); p.wait()
    for k in subprocess.run(["pgrep","-P",str(p.pid)],capture_output=True,text=True).stdout.split(): pass
    os.system(f"head -c 1500 {d}/log"); shutil.rmtree(d, ignore_errors=True)
    time.sleep(0.5)
finally:
    subprocess.run(["ip","netns","delete",ns])
for l, rs in res.items():
    ms = sorted(r[0] for r in rs if r[0]); cpu = sorted(r[1] for r in rs if isinstance(r[1], int))
    print(f"{l}: first ping median {ms[len(ms)//2]:.0f} ms (min {ms[0]:.0f}, max {ms[-1]:.0f}), cpu median {cpu[len(cpu)//2]} ms, n={len(ms)}")
print("load", open("/proc/loadavg").read().strip())
