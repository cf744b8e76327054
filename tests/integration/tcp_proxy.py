#!/usr/bin/env python3
"""A TCP proxy on loopback that a test controls, to break the network between
binlog2kafka and its MySQL/MariaDB server on purpose.

    tcp_proxy.py --listen 127.0.0.1:PORT --target 127.0.0.1:PORT --control SOCKET
    tcp_proxy.py --control SOCKET --send COMMAND

Modes and commands (sent as one line to the control socket, a unix socket;
the reply is one line of JSON with the proxy's state):

  heal       normal forwarding (the initial mode). Connections frozen by
             `blackhole` resume: bytes held are delivered, connections
             accepted while blackholed are connected to the target now (a
             frozen server that thaws).
  cut        closes every current connection, both sides, at once (a broken
             network path or a server that dropped its clients); new
             connections are forwarded as before.
  blackhole  from now on nothing is forwarded in either direction: existing
             connections stay open but silent, new connections are accepted
             and never answered (a half-open or frozen server: failure mode
             4). Ends with `heal` (or `cut`).
  cut-after N
             cuts (as `cut`) once N more bytes went from the target to the
             clients: a cut in the middle of a stream, e.g. of a large
             transaction's binlog events, whatever its speed.
  cut-on TEXT
             cuts (as `cut`) as soon as TEXT passes from the target to a
             client, e.g. a value of a row in the middle of a large
             transaction's binlog events.
  kill-on PID TEXT
             sends SIGKILL to process PID as soon as TEXT passes from the
             target to a client (the connections stay as they are): kill a
             client at an exact point of what it reads, e.g. in the middle
             of a large transaction, whatever its speed.
  disarm     forgets an armed cut-after, cut-on or kill-on.
  status     the state, and "pairs": [client port, the proxy's port towards
             the target] of each forwarded connection (which client holds
             which server connection, e.g. a GET_LOCK).

Also SIGUSR1 = cut, SIGUSR2 = blackhole, SIGHUP = heal. Events are logged to
stdout with a timestamp. Standard library only (asyncio).
"""

import argparse
import asyncio
import json
import os
import signal
import socket
import sys
import time


def log(msg):
    print(f"{time.strftime('%H:%M:%S')}.{int(time.time() * 1000) % 1000:03d} tcp_proxy: {msg}", flush=True)


def parse_addr(text):
    host, _, port = text.rpartition(":")
    return host or "127.0.0.1", int(port)


class Proxy:
    def __init__(self, target):
        self.target = target
        self.flowing = asyncio.Event()
        self.flowing.set()
        self.mode = "heal"
        self.conns = set()
        self.accepted = 0
        self.cuts = 0
        self.bytes = 0
        self.down_bytes = 0
        self.cut_at = None
        self.cut_on = None
        self.kill_on = None  # (pid, text)

    def state(self):
        return {"mode": self.mode, "connections": len(self.conns),
                "cut_armed": self.cut_at is not None or self.cut_on is not None,
                "kill_armed": self.kill_on is not None,
                "forwarding": sum(1 for c in self.conns if c.upstream is not None),
                "accepted": self.accepted, "cuts": self.cuts, "bytes": self.bytes}

    def command(self, cmd):
        if cmd.startswith("cut-after "):
            try:
                n = int(cmd.split()[1])
            except ValueError:
                return {"error": f"cut-after needs a byte count: {cmd!r}"}
            self.cut_at = self.down_bytes + n
            log(f"cut-after: armed, cut after {n} more bytes to the clients")
        elif cmd.startswith("cut-on "):
            self.cut_on = cmd[len("cut-on "):].encode()
            if not self.cut_on:
                return {"error": "cut-on needs a text"}
            for c in self.conns:
                c.tail = b""
            log(f"cut-on: armed, cut when {self.cut_on!r} passes to a client")
        elif cmd.startswith("kill-on "):
            parts = cmd.split(" ", 2)
            if len(parts) != 3 or not parts[1].isdigit() or not parts[2]:
                return {"error": f"kill-on needs a pid and a text: {cmd!r}"}
            self.kill_on = (int(parts[1]), parts[2].encode())
            for c in self.conns:
                c.kill_tail = b""
            log(f"kill-on: armed, SIGKILL to pid {parts[1]} when {parts[2]!r} passes to a client")
        elif cmd == "disarm":
            self.kill_on = None
            self.cut_on = None
            self.cut_at = None
            log("disarm: no cut or kill armed")
        elif cmd == "cut":
            self.cut_at = None
            self.cut_on = None
            n = len(self.conns)
            for c in list(self.conns):
                c.close()
            self.cuts += 1
            if self.mode == "blackhole":
                self.mode = "heal"
                self.flowing.set()
            log(f"cut: closed {n} connection(s)")
        elif cmd == "blackhole":
            self.mode = "blackhole"
            self.flowing.clear()
            log(f"blackhole: {len(self.conns)} connection(s) frozen, new ones accepted and never answered")
        elif cmd == "heal":
            self.mode = "heal"
            self.flowing.set()
            log(f"heal: forwarding again ({len(self.conns)} connection(s))")
        elif cmd == "status":
            # Which client connection is which server connection: the
            # client's port and the proxy's own port towards the target.
            state = self.state()
            state["pairs"] = [[c.peer[1], c.upstream[1].get_extra_info("sockname")[1]]
                              for c in self.conns if c.upstream is not None and not c.closed]
            return state
        else:
            return {"error": f"unknown command {cmd!r}: cut, cut-after, cut-on, kill-on, "
                             "disarm, blackhole, heal or status"}
        return self.state()

    def downstream(self, conn, data):
        n = len(data)
        if self.kill_on is not None:
            pid, text = self.kill_on
            window = conn.kill_tail + data
            if text in window:
                self.kill_on = None
                try:
                    os.kill(pid, signal.SIGKILL)
                    log(f"kill-on: {text!r} passed to a client: sent SIGKILL to pid {pid}")
                except OSError as e:
                    log(f"kill-on: {text!r} passed, but pid {pid}: {e.strerror}")
            else:
                conn.kill_tail = window[-(len(text) - 1):] if len(text) > 1 else b""
        if self.cut_on is not None:
            window = conn.tail + data
            if self.cut_on in window:
                log(f"cut-on: {self.cut_on!r} passed to a client")
                self.command("cut")
                return
            conn.tail = window[-(len(self.cut_on) - 1):] if len(self.cut_on) > 1 else b""
        self.down_bytes += n
        if self.cut_at is not None and self.down_bytes >= self.cut_at:
            self.cut_at = None
            log(f"cut-after: {self.down_bytes} bytes to the clients reached")
            self.command("cut")

    async def handle(self, reader, writer):
        self.accepted += 1
        conn = Connection(self, reader, writer)
        self.conns.add(conn)
        try:
            await conn.run()
        finally:
            self.conns.discard(conn)


class Connection:
    def __init__(self, proxy, reader, writer):
        self.proxy = proxy
        self.reader = reader
        self.writer = writer
        self.upstream = None
        self.tasks = []
        self.closed = False
        self.peer = writer.get_extra_info("peername")
        self.tail = b""  # the last bytes to the client, for cut-on
        self.kill_tail = b""  # the same for kill-on

    def close(self):
        if self.closed:
            return
        self.closed = True
        for w in (self.writer, self.upstream[1] if self.upstream else None):
            if w is not None:
                try:
                    w.transport.abort()
                except Exception:
                    pass
        for t in self.tasks:
            t.cancel()

    async def pipe(self, reader, writer, downstream=False):
        flowing = self.proxy.flowing
        try:
            while not self.closed:
                await flowing.wait()
                try:
                    data = await reader.read(65536)
                except (ConnectionError, OSError):
                    data = b""
                # What arrived just before or during a blackhole, data or
                # the end of the connection, is held until heal: a frozen
                # path passes nothing on, not even a close.
                await flowing.wait()
                if not data or self.closed:
                    break
                writer.write(data)
                self.proxy.bytes += len(data)
                await writer.drain()
                if downstream:
                    self.proxy.downstream(self, data)
        except (ConnectionError, OSError, asyncio.CancelledError):
            pass
        finally:
            self.close()

    async def run(self):
        try:
            await self.proxy.flowing.wait()  # blackholed: accepted, never answered
            if self.closed:
                return
            try:
                up_reader, up_writer = await asyncio.open_connection(*self.proxy.target)
            except OSError as e:
                log(f"connection from {self.peer}: target {self.proxy.target} refused: {e}")
                self.close()
                return
            self.upstream = (up_reader, up_writer)
            if self.closed:
                up_writer.transport.abort()
                return
            self.tasks = [asyncio.ensure_future(self.pipe(self.reader, up_writer)),
                          asyncio.ensure_future(self.pipe(up_reader, self.writer, downstream=True))]
            await asyncio.gather(*self.tasks, return_exceptions=True)
        except asyncio.CancelledError:
            pass
        finally:
            self.close()


async def serve(args):
    proxy = Proxy(parse_addr(args.target))
    host, port = parse_addr(args.listen)
    server = await asyncio.start_server(proxy.handle, host, port, reuse_address=True)

    async def control(reader, writer):
        try:
            line = (await asyncio.wait_for(reader.readline(), 5)).decode().strip()
            reply = proxy.command(line)
            writer.write((json.dumps(reply) + "\n").encode())
            await writer.drain()
        except Exception as e:  # a bad client must not stop the proxy
            log(f"control: {e!r}")
        finally:
            writer.close()

    if os.path.exists(args.control):
        os.unlink(args.control)
    ctl = await asyncio.start_unix_server(control, args.control)
    loop = asyncio.get_event_loop()
    stop = asyncio.Event()
    for sig, cmd in ((signal.SIGUSR1, "cut"), (signal.SIGUSR2, "blackhole"), (signal.SIGHUP, "heal")):
        loop.add_signal_handler(sig, proxy.command, cmd)
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    log(f"listening on {host}:{port}, forwarding to {args.target}, control {args.control}")
    await stop.wait()
    server.close()
    ctl.close()
    for c in list(proxy.conns):
        c.close()
    try:
        os.unlink(args.control)
    except OSError:
        pass
    log(f"stopped: {json.dumps(proxy.state())}")


def send(args):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    try:
        s.connect(args.control)
        s.sendall((args.send + "\n").encode())
        reply = b""
        while not reply.endswith(b"\n"):
            chunk = s.recv(4096)
            if not chunk:
                break
            reply += chunk
    except OSError as e:
        print(f"tcp_proxy: control socket {args.control}: {e}", file=sys.stderr)
        return 1
    finally:
        s.close()
    text = reply.decode().strip()
    print(text)
    return 1 if '"error"' in text or not text else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="\n\n".join(__doc__.split("\n\n")[1:]),
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--listen", help="HOST:PORT to accept connections on")
    ap.add_argument("--target", help="HOST:PORT to forward them to")
    ap.add_argument("--control", required=True, help="unix socket for commands")
    ap.add_argument("--send", metavar="COMMAND", help="send a command to a running proxy and print its reply")
    args = ap.parse_args()
    if args.send:
        return send(args)
    if not args.listen or not args.target:
        ap.error("--listen and --target are needed to run the proxy")
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
