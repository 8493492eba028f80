#!/usr/bin/python3
"""ai_wire_server.py: a local stand-in for an Ollama server and an OpenAI-compatible server
(the only stand-in the AI provider tests use; Python standard library only).

It speaks their exact wire formats, non-streaming:
  Ollama  POST /api/embed {model, input[]}            -> {model, embeddings[][]}
          POST /api/generate {model, prompt, stream:false} -> {model, response, done:true}
          POST /api/chat {model, messages[], stream:false}  -> {model, message{role,content}, done:true}
          GET  /api/tags                                -> {models[]}
  OpenAI  POST /v1/embeddings {model, input[], encoding_format:"float"}
                                                        -> {object:"list", data[{object, index, embedding}], model, usage}
          POST /v1/chat/completions {model, messages[], stream:false}
                                                        -> {id, object, choices[{index, message, finish_reason}]}
          GET  /v1/models                               -> {object:"list", data[]}
and checks every request's shape: method, path, Content-Type, Authorization (with --key K
it must be exactly "Bearer K", else 401; without --key it must be absent), the JSON
fields and their types. A request of the wrong shape gets 400 and is counted in
stats["bad"] (a test ends by checking that list is empty).

Vectors are deterministic: vector(text) = the first DIMS of the big-endian uint16s of
sha256(text) || sha256(sha256(text)) ..., each mapped to (u - 32767.5) / 32767.5 and the
whole L2-normalised, so a test recomputes them. A generated answer is
"wire answer <first 12 hex of sha256(prompt)>" unless /_control set "answer".

Faults, scripted through POST /_control {"queue": [...], "answer": "...", "dims": N}: each
model request (not /_control, not the GET probes unless "probe_faults") takes the next
item of the queue (then "ok" once it is empty):
  "ok"            the normal answer
  "429" | "429:S" HTTP 429 (with Retry-After: S when given)
  "500" | "503"   that status with an error body
  "slow:S"        sleep S seconds, then the normal answer
  "truncated"     Content-Length larger than the body, connection closed mid-body
  "garbage"       200 with a body that is not JSON
  "badjson"       200 with JSON cut in the middle (Content-Length matching)
  "wrongdims"     vectors one value short
  "echo_key"      401 whose error message repeats the Authorization header it got
GET /_control/stats: {"requests": {"METHOD PATH": n}, "bad": [...], "last_prompt": ...,
"last_body": ..., "authorization_seen": bool, "max_inflight": the most model requests it was
answering at once (since the last reset), "inflight": how many it is answering now}.

Usage: ai_wire_server.py PORTFILE [--key K] [--dims N]; writes the port to PORTFILE once
listening on 127.0.0.1.
"""
import hashlib
import json
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE = {
    "queue": [],
    "answer": None,
    "dims": 8,
    "key": None,
    "requests": {},
    "bad": [],
    "last_prompt": None,
    "last_body": None,
    "authorization_seen": False,
    "probe_faults": False,
    "inflight": 0,
    "max_inflight": 0,
}
LOCK = threading.Lock()


def vector(text, dims):
    out = []
    block = hashlib.sha256(text.encode("utf-8")).digest()
    while len(out) < dims:
        for i in range(0, len(block), 2):
            (u,) = struct.unpack(">H", block[i : i + 2])
            out.append((u - 32767.5) / 32767.5)
        block = hashlib.sha256(block).digest()
    out = out[:dims]
    norm = sum(x * x for x in out) ** 0.5
    return [x / norm for x in out]


def answer_for(prompt):
    with LOCK:
        a = STATE["answer"]
    if a is not None:
        return a
    return "wire answer " + hashlib.sha256(prompt.encode("utf-8")).hexdigest()[:12]


class Bad(Exception):
    pass


def need(cond, what):
    if not cond:
        raise Bad(what)


def check_messages(d):
    msgs = d.get("messages")
    need(isinstance(msgs, list) and msgs, "messages must be a non-empty array")
    for m in msgs:
        need(isinstance(m, dict) and m.get("role") in ("system", "user", "assistant"), "message role")
        need(isinstance(m.get("content"), str), "message content must be a string")
    return msgs[-1]["content"]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "wire/1"

    def log_message(self, fmt, *args):  # quiet: the test reads stats instead
        pass

    def replied(self):
        """A model request stops counting as in flight once its reply starts: the client
        may get the whole reply and send its next request before this thread returns."""
        if getattr(self, "counted", False):
            self.counted = False
            with LOCK:
                STATE["inflight"] -= 1

    def send_response(self, *args, **kwargs):
        self.replied()
        super().send_response(*args, **kwargs)

    def send_json(self, status, obj, extra=None):
        body = json.dumps(obj).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def count(self):
        key = "%s %s" % (self.command, self.path)
        with LOCK:
            STATE["requests"][key] = STATE["requests"].get(key, 0) + 1

    def check_auth(self):
        got = self.headers.get("Authorization")
        with LOCK:
            key = STATE["key"]
            if got is not None:
                STATE["authorization_seen"] = True
        if key is None:
            need(got is None, "an Authorization header was sent though no key is configured")
            return True
        if got != "Bearer " + key:
            self.send_json(401, {"error": {"message": "invalid api key", "type": "invalid_request_error"}}
                           if self.path.startswith("/v1/") else {"error": "unauthorized"})
            return False
        return True

    def next_fault(self, probe=False):
        with LOCK:
            if probe and not STATE["probe_faults"]:
                return "ok"
            return STATE["queue"].pop(0) if STATE["queue"] else "ok"

    # ---- control ----
    def control(self):
        if self.command == "GET" and self.path == "/_control/stats":
            with LOCK:
                snap = {k: STATE[k] for k in ("requests", "bad", "last_prompt", "last_body",
                                              "authorization_seen", "queue", "max_inflight",
                                              "inflight")}
            self.send_json(200, snap)
            return
        if self.command == "POST" and self.path == "/_control":
            n = int(self.headers.get("Content-Length", "0"))
            d = json.loads(self.rfile.read(n) or b"{}")
            with LOCK:
                for k in ("queue", "answer", "dims", "probe_faults"):
                    if k in d:
                        STATE[k] = d[k]
                if d.get("reset"):
                    STATE["max_inflight"] = 0
                    STATE["requests"] = {}
                    STATE["bad"] = []
                    STATE["authorization_seen"] = False
            self.send_json(200, {"ok": True})
            return
        self.send_json(404, {"error": "no such control"})

    # ---- the APIs ----
    def do_GET(self):
        if self.path.startswith("/_control"):
            return self.control()
        self.count()
        try:
            need(self.headers.get("Content-Length") in (None, "0"), "a GET with a body")
            if not self.check_auth():
                return
            fault = self.next_fault(probe=True)
            if self.fault_reply(fault, None):
                return
            if self.path == "/api/tags":
                self.send_json(200, {"models": [{"name": "wire-model", "model": "wire-model"}]})
            elif self.path == "/v1/models":
                self.send_json(200, {"object": "list", "data": [{"id": "wire-model", "object": "model"}]})
            else:
                self.send_json(404, {"error": "unknown path " + self.path})
        except Bad as e:
            self.bad(str(e))

    def do_POST(self):
        if self.path.startswith("/_control"):
            return self.control()
        self.count()
        with LOCK:
            STATE["inflight"] += 1
            STATE["max_inflight"] = max(STATE["max_inflight"], STATE["inflight"])
        self.counted = True
        try:
            self.model_request()
        finally:
            self.replied()

    def model_request(self):
        try:
            need(self.headers.get("Content-Type", "").split(";")[0].strip() == "application/json",
                 "Content-Type must be application/json")
            n = int(self.headers.get("Content-Length", "-1"))
            need(n >= 0, "no Content-Length")
            raw = self.rfile.read(n)
            try:
                d = json.loads(raw)
            except ValueError:
                raise Bad("the body is not JSON")
            need(isinstance(d, dict), "the body must be an object")
            with LOCK:
                STATE["last_body"] = d
            if not self.check_auth():
                return
            need(isinstance(d.get("model"), str) and d["model"], "model must be a non-empty string")
            handler = {
                "/api/embed": self.ollama_embed,
                "/api/generate": self.ollama_generate,
                "/api/chat": self.ollama_chat,
                "/v1/embeddings": self.openai_embed,
                "/v1/chat/completions": self.openai_chat,
            }.get(self.path)
            if handler is None:
                self.send_json(404, {"error": "unknown path " + self.path})
                return
            handler(d)
        except Bad as e:
            self.bad(str(e))

    def bad(self, what):
        with LOCK:
            STATE["bad"].append("%s %s: %s" % (self.command, self.path, what))
        self.send_json(400, {"error": "bad request shape: " + what})

    def fault_reply(self, fault, ok_body):
        """Sends the fault's reply and returns True, or returns False for a normal answer
        (after a slow one's sleep). ok_body: the normal answer (for wrongdims/badjson)."""
        if fault == "ok":
            return False
        if fault.startswith("slow:"):
            time.sleep(float(fault[5:]))
            return False
        if fault.startswith("429"):
            extra = {"Retry-After": fault[4:]} if ":" in fault else None
            self.send_json(429, {"error": "rate limited"}, extra)
            return True
        if fault in ("500", "502", "503"):
            self.send_json(int(fault), {"error": "server overloaded (%s)" % fault})
            return True
        if fault == "echo_key":
            self.send_json(401, {"error": "bad credentials: %s" % self.headers.get("Authorization")})
            return True
        if fault == "truncated":
            body = json.dumps(ok_body or {"x": 1}).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body) + 1000))
            self.end_headers()
            self.wfile.write(body[: max(1, len(body) // 2)])
            self.wfile.flush()
            self.close_connection = True
            return True
        if fault == "garbage":
            body = b"<html>502 upstream hiccup</html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return True
        if fault == "badjson":
            body = json.dumps(ok_body or {"x": 1}).encode("utf-8")
            body = body[: max(1, len(body) // 2)]
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return True
        return False

    def vectors(self, texts, fault):
        with LOCK:
            dims = STATE["dims"]
        vs = [vector(t, dims) for t in texts]
        if fault == "wrongdims":
            vs = [v[:-1] for v in vs]
        return vs

    def embed_input(self, d):
        inp = d.get("input")
        need(isinstance(inp, list) and inp and all(isinstance(t, str) for t in inp),
             "input must be a non-empty array of strings")
        return inp

    def ollama_embed(self, d):
        inp = self.embed_input(d)
        need(set(d) <= {"model", "input", "truncate", "options", "keep_alive"}, "unknown field")
        fault = self.next_fault()
        body = {"model": d["model"], "embeddings": self.vectors(inp, fault)}
        if not self.fault_reply(fault, body):
            self.send_json(200, body)

    def openai_embed(self, d):
        inp = self.embed_input(d)
        need(d.get("encoding_format") in (None, "float"), "encoding_format must be float")
        need(set(d) <= {"model", "input", "encoding_format", "dimensions", "user"}, "unknown field")
        fault = self.next_fault()
        vs = self.vectors(inp, fault)
        # the items in reverse order: a client must place them by "index"
        data = [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vs)][::-1]
        body = {"object": "list", "data": data, "model": d["model"],
                "usage": {"prompt_tokens": 1, "total_tokens": 1}}
        if not self.fault_reply(fault, body):
            self.send_json(200, body)

    def generated(self, prompt):
        with LOCK:
            STATE["last_prompt"] = prompt
        return answer_for(prompt)

    def ollama_generate(self, d):
        need(isinstance(d.get("prompt"), str), "prompt must be a string")
        need(d.get("stream") is False, "stream must be false")
        fault = self.next_fault()
        body = {"model": d["model"], "created_at": "2026-01-01T00:00:00Z",
                "response": self.generated(d["prompt"]), "done": True}
        if not self.fault_reply(fault, body):
            self.send_json(200, body)

    def ollama_chat(self, d):
        prompt = check_messages(d)
        need(d.get("stream") is False, "stream must be false")
        fault = self.next_fault()
        body = {"model": d["model"], "created_at": "2026-01-01T00:00:00Z",
                "message": {"role": "assistant", "content": self.generated(prompt)}, "done": True}
        if not self.fault_reply(fault, body):
            self.send_json(200, body)

    def openai_chat(self, d):
        prompt = check_messages(d)
        need(d.get("stream") in (None, False), "stream must be false")
        fault = self.next_fault()
        body = {"id": "chatcmpl-wire", "object": "chat.completion", "model": d["model"],
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": self.generated(prompt)}}]}
        if not self.fault_reply(fault, body):
            self.send_json(200, body)


def main():
    args = sys.argv[1:]
    portfile = args.pop(0)
    while args:
        a = args.pop(0)
        if a == "--key":
            STATE["key"] = args.pop(0)
        elif a == "--dims":
            STATE["dims"] = int(args.pop(0))
        else:
            sys.exit("unknown argument " + a)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(portfile + ".tmp", portfile)
    srv.serve_forever()


if __name__ == "__main__":
    main()
