/**
 * @module bgp/wire/errors
 * Wire errors are data that already hold the NOTIFICATION to send (RFC 4271 §6) and the
 * RFC 7606 action the receiver must take. Decoders return them; they never throw on
 * network input.
 */

/** NOTIFICATION error codes (RFC 4271 §4.5, RFC 7313 for 7, RFC 9687 for 8). */
export const ErrorCode = {
  MessageHeader: 1,
  OpenMessage: 2,
  UpdateMessage: 3,
  HoldTimerExpired: 4,
  FsmError: 5,
  Cease: 6,
  RouteRefreshMessage: 7,
  SendHoldTimerExpired: 8,
} as const;

/** Subcodes for code 1 (RFC 4271 §6.1). */
export const HeaderSubcode = {
  ConnectionNotSynchronized: 1,
  BadMessageLength: 2,
  BadMessageType: 3,
} as const;

/** Subcodes for code 2 (RFC 4271 §6.2, RFC 5492 §5 for 7). */
export const OpenSubcode = {
  /** RFC 4271 §6.2: an Optional Parameter that is recognized but malformed. */
  Unspecific: 0,
  UnsupportedVersionNumber: 1,
  BadPeerAs: 2,
  BadBgpIdentifier: 3,
  UnsupportedOptionalParameter: 4,
  UnacceptableHoldTime: 6,
  UnsupportedCapability: 7,
  RoleMismatch: 11,
} as const;

/** Subcodes for code 3 (RFC 4271 §6.3; 7 is deprecated and never sent). */
export const UpdateSubcode = {
  MalformedAttributeList: 1,
  UnrecognizedWellKnownAttribute: 2,
  MissingWellKnownAttribute: 3,
  AttributeFlagsError: 4,
  AttributeLengthError: 5,
  InvalidOriginAttribute: 6,
  InvalidNextHopAttribute: 8,
  OptionalAttributeError: 9,
  InvalidNetworkField: 10,
  MalformedAsPath: 11,
} as const;

/** Subcodes for code 5 (RFC 6608). */
export const FsmSubcode = {
  Unspecified: 0,
  UnexpectedMessageInOpenSent: 1,
  UnexpectedMessageInOpenConfirm: 2,
  UnexpectedMessageInEstablished: 3,
} as const;

/** Subcodes for code 6 (RFC 4486, RFC 8203). */
export const CeaseSubcode = {
  MaximumNumberOfPrefixesReached: 1,
  AdministrativeShutdown: 2,
  PeerDeconfigured: 3,
  AdministrativeReset: 4,
  ConnectionRejected: 5,
  OtherConfigurationChange: 6,
  ConnectionCollisionResolution: 7,
  OutOfResources: 8,
  HardReset: 9,
} as const;

/** Subcodes for code 7 (RFC 7313). */
export const RouteRefreshSubcode = {
  InvalidMessageLength: 1,
} as const;

/**
 * What the receiver does about an error, weakest first (RFC 7606 §2). Ordered so
 * that `strongest()` can pick the one to act on when an UPDATE holds several.
 */
export type ErrorAction =
  | 'attribute-discard' // drop the attribute, keep the route (RFC 7606 §2)
  | 'treat-as-withdraw' // withdraw the UPDATE's NLRI (RFC 7606 §2)
  | 'afisafi-disable' // stop using the family for the session (RFC 4760 §7)
  | 'session-reset'; // send the NOTIFICATION and close (RFC 4271 §6)

const ACTION_RANK: Record<ErrorAction, number> = {
  'attribute-discard': 1,
  'treat-as-withdraw': 2,
  'afisafi-disable': 3,
  'session-reset': 4,
};

export interface BgpWireError {
  readonly code: number;
  readonly subcode: number;
  /** Data field of the NOTIFICATION (RFC 4271 §4.5), e.g. the offending attribute. */
  readonly data: Uint8Array;
  readonly action: ErrorAction;
  /** One line for logs: what was wrong and where. */
  readonly message: string;
  /** Attribute type code at fault, when an attribute is. */
  readonly attributeType?: number;
  /** With 'afisafi-disable': the family to stop using (RFC 4760 §7, RFC 7606 §7.11). */
  readonly afi?: number;
  readonly safi?: number;
}

export function wireError(
  code: number,
  subcode: number,
  action: ErrorAction,
  message: string,
  data: Uint8Array = new Uint8Array(0),
  attributeType?: number,
): BgpWireError {
  return attributeType === undefined
    ? { code, subcode, data, action, message }
    : { code, subcode, data, action, message, attributeType };
}

/** The error whose action is strongest; the first one on ties. */
export function strongest(errors: readonly BgpWireError[]): BgpWireError | undefined {
  let best: BgpWireError | undefined;
  for (const e of errors) {
    if (!best || ACTION_RANK[e.action] > ACTION_RANK[best.action]) best = e;
  }
  return best;
}

/** Result of every decoder: a value, or the error that says what to do. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; error: BgpWireError };

export function ok<T>(value: T): Decoded<T> {
  return { ok: true, value };
}

export function fail<T>(error: BgpWireError): Decoded<T> {
  return { ok: false, error };
}

const CODE_NAMES: Record<number, string> = {
  1: 'Message Header Error',
  2: 'OPEN Message Error',
  3: 'UPDATE Message Error',
  4: 'Hold Timer Expired',
  5: 'Finite State Machine Error',
  6: 'Cease',
  7: 'ROUTE-REFRESH Message Error',
  8: 'Send Hold Timer Expired',
};

const SUBCODE_NAMES: Record<number, Record<number, string>> = {
  1: { 1: 'Connection Not Synchronized', 2: 'Bad Message Length', 3: 'Bad Message Type' },
  2: {
    0: 'Unspecific',
    1: 'Unsupported Version Number',
    2: 'Bad Peer AS',
    3: 'Bad BGP Identifier',
    4: 'Unsupported Optional Parameter',
    6: 'Unacceptable Hold Time',
    7: 'Unsupported Capability',
    11: 'Role Mismatch',
  },
  3: {
    1: 'Malformed Attribute List',
    2: 'Unrecognized Well-known Attribute',
    3: 'Missing Well-known Attribute',
    4: 'Attribute Flags Error',
    5: 'Attribute Length Error',
    6: 'Invalid ORIGIN Attribute',
    8: 'Invalid NEXT_HOP Attribute',
    9: 'Optional Attribute Error',
    10: 'Invalid Network Field',
    11: 'Malformed AS_PATH',
  },
  5: {
    0: 'Unspecified Error',
    1: 'Receive Unexpected Message in OpenSent State',
    2: 'Receive Unexpected Message in OpenConfirm State',
    3: 'Receive Unexpected Message in Established State',
  },
  6: {
    1: 'Maximum Number of Prefixes Reached',
    2: 'Administrative Shutdown',
    3: 'Peer De-configured',
    4: 'Administrative Reset',
    5: 'Connection Rejected',
    6: 'Other Configuration Change',
    7: 'Connection Collision Resolution',
    8: 'Out of Resources',
    9: 'Hard Reset',
  },
  7: { 1: 'Invalid Message Length' },
};

/** True when (code, subcode) is a pair this module names: the only pairs the codec emits. */
export function isKnownNotification(code: number, subcode: number): boolean {
  return SUBCODE_NAMES[code]?.[subcode] !== undefined;
}

/** "Cease/Maximum Number of Prefixes Reached (6/1)" */
export function describeNotification(code: number, subcode: number): string {
  const c = CODE_NAMES[code] ?? `Unknown Code`;
  const s = SUBCODE_NAMES[code]?.[subcode];
  return s ? `${c}/${s} (${code}/${subcode})` : `${c} (${code}/${subcode})`;
}
