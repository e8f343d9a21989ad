"""Wire-faithful fake provider servers: real HTTP on 127.0.0.1, one per wire protocol.

They are first-class code reused by the contract suite, the integration tests, the
end-to-end browser tests and the benchmarks. See `script.py` for how a test says what the
next reply (or failure) should be, and `server.py` for how a fake is started.
"""
