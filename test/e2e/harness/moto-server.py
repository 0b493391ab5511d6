"""
moto's server (what the toolchain's moto_server runs) with one answer corrected to what
AWS returns, started by startMoto (harness/moto.ts) with the toolchain venv's python.

DeleteLaunchTemplate by LaunchTemplateId of a template that does not exist: AWS answers
InvalidLaunchTemplateId.NotFound, which the AWS provider treats as "already deleted";
moto 5.2.5 answers InvalidLaunchTemplateName.NotFoundException, which the provider
reports as a failed apply. One parallel e2e run on a loaded machine failed that way:
the deposed launch template was already gone from moto when the provider deleted it
(most likely a request the SDK retried after losing its answer; moto's log shows no
other error). Deletes by name, and every other call, are moto's own.
"""
import sys

from moto.ec2.exceptions import InvalidLaunchTemplateIdNotFound
from moto.ec2.models.launch_templates import LaunchTemplateBackend
from moto.server import main

_delete_launch_template = LaunchTemplateBackend.delete_launch_template


def delete_launch_template(self, name, tid):
    if not name and tid and tid not in self.launch_templates:
        raise InvalidLaunchTemplateIdNotFound(tid)
    return _delete_launch_template(self, name, tid)


LaunchTemplateBackend.delete_launch_template = delete_launch_template

if __name__ == "__main__":
    sys.exit(main())
