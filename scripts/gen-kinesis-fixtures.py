#!/usr/bin/env python3
"""Rebuilds the two Lambda Kinesis event fixtures from the agent event stream fixtures.

    python3 scripts/gen-kinesis-fixtures.py

writes crates/events/tests/fixtures/agent-stream/lambda-kinesis-event.json (three records whose
`data` is the base64 of three agent-stream fixtures) and lambda-kinesis-event-one-bad.json (three
records, the middle one's data is not JSON). Deterministic; standard library only. Re-run it after
editing one of the source fixtures so the base64 stays in step.
"""

import base64
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
DIR = ROOT / "crates/events/tests/fixtures/agent-stream"

REGION = "us-west-2"
ACCOUNT = "111122223333"
STREAM_ARN = f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/connect-agent-events"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/streamhooks-agent-events-ingest"

# Kinesis sequence numbers are 56-digit decimal strings that increase within a shard.
SEQ_BASE = 49656729301718425766181839407617289012584221390476853250


def record(doc_bytes, partition_key, seq, arrival):
    seq_s = str(seq)
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": partition_key,
            "sequenceNumber": seq_s,
            "data": base64.b64encode(doc_bytes).decode("ascii"),
            "approximateArrivalTimestamp": arrival,
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"shardId-000000000000:{seq_s}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": ROLE_ARN,
        "awsRegion": REGION,
        "eventSourceARN": STREAM_ARN,
    }


def agent_doc(name):
    """A fixture as Amazon Connect puts it on the stream: compact JSON, and the agent ARN
    (the partition key the agent event stream uses)."""
    doc = json.loads((DIR / f"{name}.json").read_text())
    return json.dumps(doc, separators=(",", ":")).encode(), doc["AgentARN"]


def epoch(stamp):
    import datetime

    d = datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ")
    return round(d.replace(tzinfo=datetime.timezone.utc).timestamp() + 0.187, 3)


def build(names, first_seq):
    """One record per name; None stands for a record whose data is not JSON."""
    records = []
    arrival = None
    key = None
    for i, name in enumerate(names):
        seq = first_seq + 1000003 * i
        if name is None:
            # What a misconfigured producer might put on the stream: a log line, not JSON.
            data = b"2026-11-19T16:08:02.940Z INFO agent-event-forwarder: flushed 1 record(s)\n"
            arrival = round(arrival + 1.404, 3)
        else:
            data, key = agent_doc(name)
            arrival = epoch(json.loads(data)["EventTimestamp"])
        records.append(record(data, key, seq, arrival))
    return {"Records": records}


def write(name, doc):
    path = DIR / name
    path.write_text(json.dumps(doc, indent=2) + "\n")
    print(f"wrote {path.relative_to(ROOT)}")


def main():
    write("lambda-kinesis-event.json", build(["contact-connecting", "contact-connected", "contact-hold"], SEQ_BASE))
    write(
        "lambda-kinesis-event-one-bad.json",
        build(["contact-ended-voice", None, "contact-removed"], SEQ_BASE + 93000417),
    )


if __name__ == "__main__":
    main()
