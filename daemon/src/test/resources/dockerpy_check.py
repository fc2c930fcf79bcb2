"""docker-py's common paths against berthd: python3 dockerpy_check.py unix:///path/to/berth.sock

Prints one line per step ("ok STEP"); any failure raises and exits non-zero.
"""
import io
import sys
import tarfile

import docker

c = docker.DockerClient(base_url=sys.argv[1], version="auto")
print("docker-py", docker.__version__, "api", c.api.api_version)

# containers.run() without detach: waits, reads HostConfig.LogConfig, returns the output
out = c.containers.run("busybox", ["sh", "-c", "echo hello from run"], remove=True)
assert out == b"hello from run\n", out
print("ok run")

# images
tags = [t for i in c.images.list() for t in i.tags]
assert "busybox:latest" in tags, tags
img = c.images.get("busybox")
assert img.id.startswith("sha256:") and "busybox:latest" in img.tags, (img.id, img.tags)
try:
    c.images.get("no-such-image-xyz")
    raise AssertionError("a missing image must raise ImageNotFound")
except docker.errors.ImageNotFound:
    pass
print("ok images")

# detached, exec_run, logs, top, stats, rename, archive
ctr = c.containers.run("busybox", ["sleep", "300"], detach=True, name="py-main")
ctr.reload()
assert ctr.status == "running", ctr.status
assert ctr.attrs["HostConfig"]["LogConfig"]["Type"] == "json-file"
code, output = ctr.exec_run(["sh", "-c", "echo exec-out"])
assert code == 0 and output == b"exec-out\n", (code, output)
noisy = c.containers.run("busybox", ["sh", "-c", "echo to-out; echo to-err >&2"], detach=True)
assert noisy.wait()["StatusCode"] == 0
logs = noisy.logs()
assert b"to-out" in logs and b"to-err" in logs, logs
assert noisy.logs(stderr=False) == b"to-out\n"
noisy.remove()
print("ok exec logs")

top = ctr.top()
assert "PID" in top["Titles"] and any("sleep" in " ".join(p) for p in top["Processes"]), top
stats = ctr.stats(stream=False)
assert stats["memory_stats"]["usage"] > 0, stats
ctr.rename("py-renamed")
ctr.reload()
assert ctr.name == "py-renamed", ctr.name
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w") as t:
    data = b"put by docker-py\n"
    info = tarfile.TarInfo("put.txt")
    info.size = len(data)
    t.addfile(info, io.BytesIO(data))
assert ctr.put_archive("/tmp", buf.getvalue())
stream, stat = ctr.get_archive("/tmp/put.txt")
assert stat["name"] == "put.txt" and stat["size"] == 17, stat
with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as t:
    assert t.extractfile("put.txt").read() == b"put by docker-py\n"
print("ok top stats rename archive")

# networks with aliases
net = c.networks.create("pynet", labels={"by": "docker-py"})
net.connect(ctr, aliases=["pyalias"])
peer = c.containers.run("busybox", ["sleep", "300"], detach=True, network="pynet", name="py-peer")
code, output = peer.exec_run(["nslookup", "pyalias"])
assert code == 0, output
net.reload()
assert {x.name for x in net.containers} == {"py-renamed", "py-peer"}, [x.name for x in net.containers]
print("ok networks")

# volumes (the local driver)
vol = c.volumes.create("pyvol", labels={"by": "docker-py"})
assert vol.name == "pyvol" and "pyvol" in [v.name for v in c.volumes.list()]
c.containers.run("busybox", ["sh", "-c", "echo kept > /v/f"], volumes={"pyvol": {"bind": "/v", "mode": "rw"}}, remove=True)
assert c.containers.run("busybox", ["cat", "/v/f"], volumes=["pyvol:/v:ro"], remove=True) == b"kept\n"
c.volumes.get("pyvol").remove()
assert "pyvol" not in [v.name for v in c.volumes.list()]
print("ok volumes")

# stop, remove, prune
ctr.stop(timeout=1)
ctr.reload()
assert ctr.status == "exited", ctr.status
ctr.remove()
peer.remove(force=True)
net.remove()
assert [x.name for x in c.containers.list(all=True)] == [], c.containers.list(all=True)
print("ok stop remove")
