import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { Construct } from 'constructs';

/** Keys of the interface endpoint services the staging network knows. */
export type InterfaceEndpointKey = 'mgn' | 'ec2' | 's3' | 'ssm' | 'ssmmessages' | 'ec2messages' | 'logs' | 'kms' | 'sts';

/**
 * An AWS service reachable through an interface endpoint, with what the staging network needs to
 * know about it. A closed catalog: a typo is a compile error, not a failed apply.
 */
export class InterfaceEndpointService {
  /** MGN API: agents (on-premises) and replication servers. */
  public static readonly MGN = new InterfaceEndpointService('mgn', 'mgn', true);
  /** EC2 API: replication and conversion servers, agents. */
  public static readonly EC2 = new InterfaceEndpointService('ec2', 'ec2', true);
  /** S3 (interface): agents download the installer and upload through it from on-premises. */
  public static readonly S3 = new InterfaceEndpointService('s3', 's3', true);
  /**
   * Systems Manager (with ssmmessages and ec2messages): what the SSM agent of an instance in a
   * private subnet talks to. Endpoints serve the VPC they are in: these serve the staging VPC. Test
   * and cutover instances run their post-launch actions in the target subnets, whose VPCs need
   * their own ssm, ssmmessages and ec2messages endpoints (+ logs, kms, sts as used) or another
   * route to these services.
   */
  public static readonly SSM = new InterfaceEndpointService('ssm', 'ssm', false);
  public static readonly SSM_MESSAGES = new InterfaceEndpointService('ssmmessages', 'ssmmessages', false);
  public static readonly EC2_MESSAGES = new InterfaceEndpointService('ec2messages', 'ec2messages', false);
  /** CloudWatch Logs, where the bootstrap documents write their output. */
  public static readonly LOGS = new InterfaceEndpointService('logs', 'logs', false);
  public static readonly KMS = new InterfaceEndpointService('kms', 'kms', false);
  public static readonly STS = new InterfaceEndpointService('sts', 'sts', false);

  public static readonly ALL: readonly InterfaceEndpointService[] = [
    InterfaceEndpointService.MGN, InterfaceEndpointService.EC2, InterfaceEndpointService.S3, InterfaceEndpointService.SSM,
    InterfaceEndpointService.SSM_MESSAGES, InterfaceEndpointService.EC2_MESSAGES, InterfaceEndpointService.LOGS,
    InterfaceEndpointService.KMS, InterfaceEndpointService.STS,
  ];

  public static of(key: InterfaceEndpointKey): InterfaceEndpointService {
    return InterfaceEndpointService.ALL.find((s) => s.key === key)!;
  }

  private constructor(
    /** Key in factory.yaml and in output maps. */
    public readonly key: InterfaceEndpointKey,
    /** Last label of the service name com.amazonaws.<region>.<label>. */
    public readonly label: string,
    /** Used from on-premises during replication: its private name is forwarded to the Resolver inbound endpoint. */
    public readonly usedFromOnPremises: boolean,
  ) {}

  public serviceName(region: string): string {
    return `com.amazonaws.${region}.${this.label}`;
  }

  /** The Regional DNS name that private DNS answers for. */
  public privateDnsName(region: string): string {
    return `${this.label}.${region}.amazonaws.com`;
  }

  /** IAM action prefix of the service (endpoint policies). */
  public get actionPrefix(): string {
    return this.label;
  }
}

/** Settings of one interface endpoint; each defaults to VpcEndpointsProps.defaults. */
export interface InterfaceEndpointOptions {
  /** @default defaults.subnetIds */
  readonly subnetIds?: string[];
  /** @default defaults.securityGroupIds */
  readonly securityGroupIds?: string[];
  /** @default defaults.privateDns */
  readonly privateDns?: boolean;
  /** Endpoint policy (JSON). @default defaults.policy, else full access */
  readonly policy?: string;
}

export interface VpcEndpointsProps {
  readonly vpcId: string;
  readonly region: string;
  /** Settings shared by every interface endpoint. */
  readonly defaults: {
    readonly subnetIds: string[];
    readonly securityGroupIds: string[];
    /**
     * Private DNS: the Regional service name resolves to the endpoint inside the VPC and, through a
     * Resolver inbound endpoint, for on-premises clients.
     * @default true
     */
    readonly privateDns?: boolean;
    /** @default full access (no policy) */
    readonly policy?: string;
  };
  /** The interface endpoints, with per-endpoint overrides: adding one is one entry. */
  readonly interfaceEndpoints: Partial<Record<InterfaceEndpointKey, InterfaceEndpointOptions>>;
  /**
   * The S3 gateway endpoint on these route tables. Replication servers reach S3 through it: they
   * cannot use the S3 interface endpoint's DNS names.
   * @default no gateway endpoint
   */
  readonly s3Gateway?: { readonly routeTableIds: string[]; readonly policy?: string };
}

/**
 * Interface endpoints from a map with shared defaults, plus the S3 gateway endpoint.
 *
 * Private DNS: with private DNS on, on-premises DNS can forward the plain Regional names
 * (mgn.<region>.amazonaws.com, ...) to the Resolver inbound endpoint and every client keeps its
 * default endpoint. For S3, an interface endpoint with plain private DNS would also capture the
 * VPC's own S3 traffic and take it off the gateway endpoint (which replication servers need), so the
 * S3 interface endpoint answers only queries that arrive through the inbound endpoint
 * (private_dns_only_for_inbound_resolver_endpoint). AWS requires the gateway endpoint to exist
 * first for that setting, hence the dependency.
 */
export class VpcEndpoints extends Construct {
  public readonly interfaces: Partial<Record<InterfaceEndpointKey, VpcEndpoint>> = {};
  public readonly s3Gateway?: VpcEndpoint;

  constructor(scope: Construct, id: string, props: VpcEndpointsProps) {
    super(scope, id);
    if (!props.defaults.subnetIds.length) throw new Error('VpcEndpoints: defaults.subnetIds must name at least one subnet');
    if (!props.defaults.securityGroupIds.length) throw new Error('VpcEndpoints: defaults.securityGroupIds must name at least one security group');
    if (props.s3Gateway) {
      if (!props.s3Gateway.routeTableIds.length) throw new Error('VpcEndpoints: s3Gateway.routeTableIds must name the staging route tables');
      this.s3Gateway = new VpcEndpoint(this, 's3-gateway', {
        vpcId: props.vpcId,
        serviceName: InterfaceEndpointService.S3.serviceName(props.region),
        vpcEndpointType: 'Gateway',
        routeTableIds: props.s3Gateway.routeTableIds,
        policy: props.s3Gateway.policy,
        tags: { Name: `s3-gateway` },
      });
    }
    for (const [key, o] of Object.entries(props.interfaceEndpoints) as Array<[InterfaceEndpointKey, InterfaceEndpointOptions]>) {
      const svc = InterfaceEndpointService.of(key);
      if (!svc) throw new Error(`VpcEndpoints: unknown interface endpoint "${key}"`);
      const privateDns = o.privateDns ?? props.defaults.privateDns ?? true;
      const s3WithPrivateDns = svc === InterfaceEndpointService.S3 && privateDns;
      if (s3WithPrivateDns && !this.s3Gateway) {
        throw new Error('VpcEndpoints: the S3 interface endpoint with private DNS needs s3Gateway: replication servers reach S3 through the gateway endpoint');
      }
      this.interfaces[key] = new VpcEndpoint(this, key, {
        vpcId: props.vpcId,
        serviceName: svc.serviceName(props.region),
        vpcEndpointType: 'Interface',
        subnetIds: o.subnetIds ?? props.defaults.subnetIds,
        securityGroupIds: o.securityGroupIds ?? props.defaults.securityGroupIds,
        privateDnsEnabled: privateDns,
        dnsOptions: s3WithPrivateDns ? { privateDnsOnlyForInboundResolverEndpoint: true } : undefined,
        policy: o.policy ?? props.defaults.policy,
        dependsOn: s3WithPrivateDns ? [this.s3Gateway!] : undefined,
        tags: { Name: key },
      });
    }
  }

  /** The first DNS entry of an interface endpoint (its Regional endpoint-specific name). */
  public dnsName(key: InterfaceEndpointKey): string {
    const ep = this.interfaces[key];
    if (!ep) throw new Error(`VpcEndpoints: no interface endpoint "${key}"`);
    return ep.dnsEntry.get(0).dnsName;
  }
}
