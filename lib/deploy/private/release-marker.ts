import { anyToHclTerraform, anyToTerraform, hashMapper, hashMapperHcl, TerraformResource } from 'cdktf';
import type { Construct } from 'constructs';

/**
 * A slot's release marker: a `terraform_data` resource whose `input` is the slot's image
 * (see `FleetSlot.releaseMarker`). It synthesizes exactly what cdktf's `DataResource`
 * does, without the check `DataResource` adds to each instance, which runs `terraform
 * version` in a child process at every synth: two per fleet, which made most of the synth
 * time of a repository with many fleets (scripts/bench/fleets.js). The Terraform version
 * a stack needs is the deploy's concern (terraform_data needs 1.4, OpenTofu 1.6).
 */
export class ReleaseMarker extends TerraformResource {
  private markerInput?: Record<string, unknown>;

  constructor(scope: Construct, id: string) {
    super(scope, id, {
      terraformResourceType: 'terraform_data',
      terraformGeneratorMetadata: { providerName: 'terraform' },
    });
  }

  /** What the marker records (the slot's image). */
  public set input(value: Record<string, unknown>) {
    this.markerInput = value;
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return { input: hashMapper(anyToTerraform)(this.markerInput) };
  }

  protected synthesizeHclAttributes(): Record<string, unknown> {
    return { input: hashMapperHcl(anyToHclTerraform)(this.markerInput) };
  }
}
