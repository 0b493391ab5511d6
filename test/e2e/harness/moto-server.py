"""
moto's server (what the toolchain's moto_server runs) with three answers corrected to what
AWS gives, started by startMoto (harness/moto.ts) with the toolchain venv's python.

The first two concern a request the AWS provider's SDK sends again because it did not get
the first answer. Under the parallel e2e load moto's server drops a few connections: with
TF_LOG=DEBUG one whole run logged 4 "retrying request <operation>, attempt 2" of 4081
requests, each 0.1 s after "HTTP Request Sent" with no response received. On AWS the
retries below are safe; on moto each failed an apply in a parallel run (moto's log shows
no error before the repeat's 400):

1. CreateLaunchTemplate repeated with the same ClientToken (the SDK fills one in and keeps
   it across retries): AWS returns the template the first call created; moto 5.2.5
   ignores the token and answers InvalidLaunchTemplateName.AlreadyExistsException.
2. DeleteLaunchTemplate by LaunchTemplateId of a template that is gone: AWS answers
   InvalidLaunchTemplateId.NotFound, which the provider treats as "already deleted";
   moto answers InvalidLaunchTemplateName.NotFoundException, which fails the apply.

3. CreateLaunchTemplate with TagSpecifications for the template itself (ResourceType
   launch-template: the provider sends them for default_tags and tags): AWS tags the
   template and leaves its data alone (LaunchTemplateData takes no launch-template tag
   specifications); moto 5.2.5 also copies them into the version's LaunchTemplateData,
   which the provider reads back as a tag_specifications block that the configuration
   does not have, so every later plan updates the template in place (a new version) and
   its auto scaling group with it.

4. A create that is not idempotent and has no client token (CreateSubnet,
   AuthorizeSecurityGroupEgress, CreateAutoScalingGroup...), repeated by the SDK because
   moto dropped the first answer: the repeat fails ("InvalidSubnet.Conflict",
   "InvalidPermission.Duplicate") on what the first request created, and the apply with
   it. No answer can be corrected for that on AWS's terms, so the server replays its own
   answer: a POST of a Create/Authorize/Run/Attach/Register/Allocate/Associate action
   whose body is byte for byte the one answered with 200 in the last 3 seconds gets that
   answer again, as if the first one had arrived. The cost: two identical creates within
   3 seconds, which AWS would refuse, both succeed here.

Everything else is moto's own. Each correction is checked against the running server by
test/e2e/moto-fidelity.e2e.test.ts, whose checks fail on plain moto.
"""
import hashlib
import io
import re
import sys
import threading
import time

from moto.ec2.exceptions import InvalidLaunchTemplateIdNotFound
from moto.ec2.models.launch_templates import LaunchTemplateBackend
from moto.ec2.responses.launch_templates import LaunchTemplates
import moto.server
from moto.server import main

# the ClientToken of the request this thread is answering (werkzeug: one thread per request)
_request = threading.local()

_create_response = LaunchTemplates.create_launch_template
_create = LaunchTemplateBackend.create_launch_template
_delete = LaunchTemplateBackend.delete_launch_template


def create_launch_template_response(self):
    _request.client_token = self._get_param("ClientToken")
    try:
        return _create_response(self)
    finally:
        _request.client_token = None


def create_launch_template(self, name, *args, **kwargs):
    token = getattr(_request, "client_token", None)
    created = self.__dict__.setdefault("_created_by_client_token", {})
    if token and token in created:
        template = self.launch_templates.get(created[token])
        if template is not None and template.name == name:
            return template
    template = _create(self, name, *args, **kwargs)
    for version in template.versions:
        specs = version.data.get("TagSpecifications")
        if specs:
            kept = [spec for spec in specs if spec.get("ResourceType") != "launch-template"]
            if kept:
                version.data["TagSpecifications"] = kept
            else:
                del version.data["TagSpecifications"]
    if token:
        created[token] = template.id
    return template


def delete_launch_template(self, name, tid):
    if not name and tid and tid not in self.launch_templates:
        raise InvalidLaunchTemplateIdNotFound(tid)
    return _delete(self, name, tid)


_MUTATING = re.compile(r"^(Create|Authorize|Run|Attach|Register|Allocate|Associate)[A-Z]")
_REPLAY_SECONDS = 3.0


class ReplayRepeats:
    """WSGI middleware: correction 4 (see above)."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.answered = {}

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        match = re.search(rb"(?:^|&)Action=([A-Za-z]+)", body)
        action = target.rsplit(".", 1)[-1] if target else (match.group(1).decode() if match else "")
        if not _MUTATING.match(action):
            return self.app(environ, start_response)
        key = hashlib.sha256(
            b"\0".join([environ.get("PATH_INFO", "").encode(), target.encode(), body])
        ).hexdigest()
        now = time.monotonic()
        with self.lock:
            for old in [k for k, v in self.answered.items() if now - v[0] > _REPLAY_SECONDS]:
                del self.answered[old]
            replay = self.answered.get(key)
        if replay is not None:
            _, status, headers, chunks = replay
            start_response(status, headers)
            return [chunks]
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        out = b"".join(self.app(environ, capture))
        if captured.get("status", "").startswith("200"):
            with self.lock:
                self.answered[key] = (time.monotonic(), captured["status"], captured["headers"], out)
        return [out]


_run_simple = moto.server.run_simple


def run_simple(host, port, app, **kwargs):
    return _run_simple(host, port, ReplayRepeats(app), **kwargs)


moto.server.run_simple = run_simple

LaunchTemplates.create_launch_template = create_launch_template_response
LaunchTemplateBackend.create_launch_template = create_launch_template
LaunchTemplateBackend.delete_launch_template = delete_launch_template

if __name__ == "__main__":
    sys.exit(main())
