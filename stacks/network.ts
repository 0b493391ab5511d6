import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';

export interface ServiceNetworkProps {
  readonly name: string;
  /** CIDR of the VPC. */
  readonly cidr: string;
  /** Availability zones (one public and one private subnet in each). */
  readonly availabilityZones: readonly string[];
  /** S3 bucket ARN (with prefix) that receives the VPC flow logs. */
  readonly flowLogsDestinationArn: string;
}

/**
 * A VPC for one environment: public subnets for the load balancer, private subnets
 * (no public IPs) for the instances, one NAT gateway for their outbound traffic, and
 * a default security group that allows nothing.
 */
export class ServiceNetwork extends Construct {
  public readonly vpcId: string;
  public readonly publicSubnetIds: string[];
  public readonly privateSubnetIds: string[];

  constructor(scope: Construct, id: string, props: ServiceNetworkProps) {
    super(scope, id);
    if (props.availabilityZones.length < 2) {
      throw new Error(
        `ServiceNetwork ${props.name}: availabilityZones (${props.availabilityZones.length}) must list at least 2 zones; a load balancer needs two.`,
      );
    }
    const vpc = new Vpc(this, 'Vpc', {
      cidrBlock: props.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: props.name },
    });
    this.vpcId = vpc.id;
    new FlowLog(this, 'FlowLog', {
      vpcId: vpc.id,
      trafficType: 'ALL',
      logDestinationType: 's3',
      logDestination: props.flowLogsDestinationArn,
    });
    new DefaultSecurityGroup(this, 'DefaultSecurityGroup', {
      vpcId: vpc.id,
      tags: { Name: `${props.name}-default-deny` },
    });
    const gateway = new InternetGateway(this, 'InternetGateway', { vpcId: vpc.id, tags: { Name: props.name } });
    const publicRoutes = new RouteTable(this, 'PublicRoutes', {
      vpcId: vpc.id,
      tags: { Name: `${props.name}-public` },
    });
    new Route(this, 'PublicDefaultRoute', {
      routeTableId: publicRoutes.id,
      destinationCidrBlock: '0.0.0.0/0',
      gatewayId: gateway.id,
    });

    this.publicSubnetIds = [];
    this.privateSubnetIds = [];
    const privateRoutes = new RouteTable(this, 'PrivateRoutes', {
      vpcId: vpc.id,
      tags: { Name: `${props.name}-private` },
    });
    props.availabilityZones.forEach((zone, i) => {
      const publicSubnet = new Subnet(this, `Public${i}`, {
        vpcId: vpc.id,
        availabilityZone: zone,
        cidrBlock: Fn.cidrsubnet(props.cidr, 8, i),
        mapPublicIpOnLaunch: false,
        tags: { Name: `${props.name}-public-${zone}` },
      });
      new RouteTableAssociation(this, `Public${i}Routes`, { subnetId: publicSubnet.id, routeTableId: publicRoutes.id });
      const privateSubnet = new Subnet(this, `Private${i}`, {
        vpcId: vpc.id,
        availabilityZone: zone,
        cidrBlock: Fn.cidrsubnet(props.cidr, 8, 100 + i),
        mapPublicIpOnLaunch: false,
        tags: { Name: `${props.name}-private-${zone}` },
      });
      new RouteTableAssociation(this, `Private${i}Routes`, {
        subnetId: privateSubnet.id,
        routeTableId: privateRoutes.id,
      });
      this.publicSubnetIds.push(publicSubnet.id);
      this.privateSubnetIds.push(privateSubnet.id);
    });
    const natAddress = new Eip(this, 'NatAddress', { domain: 'vpc', tags: { Name: `${props.name}-nat` } });
    const nat = new NatGateway(this, 'Nat', {
      allocationId: natAddress.id,
      subnetId: this.publicSubnetIds[0],
      tags: { Name: props.name },
    });
    new Route(this, 'PrivateDefaultRoute', {
      routeTableId: privateRoutes.id,
      destinationCidrBlock: '0.0.0.0/0',
      natGatewayId: nat.id,
    });
  }
}
