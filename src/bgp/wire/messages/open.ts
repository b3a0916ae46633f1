/**
 * @module bgp/wire/messages/open
 * OPEN (RFC 4271 §4.2) with Capabilities (RFC 5492) and Extended Optional Parameters
 * Length (RFC 9072). Checks that need the session (peer AS, unsupported optional
 * parameters or capabilities, collision) are made above the codec.
 */
import { ErrorCode, HeaderSubcode, OpenSubcode, fail, ok, wireError, type Decoded } from '../errors.js';
import { readCapabilities, writeCapability } from '../capabilities/capabilities.js';
import { HEADER_LENGTH, MAX_MESSAGE_LENGTH, MessageType, type Capability, type OpenMessage } from '../types.js';
import { ByteWriter, readU16, readU32 } from '../writer.js';
import { writeHeader } from './header.js';

const BGP_VERSION = 4;
const PARAM_CAPABILITIES = 2; // RFC 5492 §4
const EXTENDED_PARAMS = 255; // RFC 9072 §2: Non-Ext OP Type that announces the extended format

function openError(subcode: number, message: string, data: Uint8Array = new Uint8Array(0)): Decoded<OpenMessage> {
  return fail(wireError(ErrorCode.OpenMessage, subcode, 'session-reset', message, data));
}

/** `b` is one whole message whose header `readHeader` accepted (length ≥ 29). */
export function decodeOpen(b: Uint8Array, length: number): Decoded<OpenMessage> {
  const version = b[19]!;
  if (version !== BGP_VERSION) {
    // RFC 4271 §6.2: Data is the largest version we support, 2 octets.
    return openError(OpenSubcode.UnsupportedVersionNumber, `BGP version ${version}`, Uint8Array.of(0, BGP_VERSION));
  }
  const myAs = readU16(b, 20);
  const holdTime = readU16(b, 22);
  const bgpId = readU32(b, 24);
  const nonExtLen = b[28]!;
  // RFC 9072 §2: a non-zero Non-Ext OP Len followed by type 255 means 2-octet lengths.
  const extended = nonExtLen !== 0 && length > 29 && b[29] === EXTENDED_PARAMS;
  const paramsStart = extended ? 32 : 29;
  const paramsEnd = extended ? (length >= 32 ? 32 + readU16(b, 30) : Infinity) : 29 + nonExtLen;
  if (paramsEnd !== length) {
    // The Optional Parameters Length disagrees with the message Length (as BIRD and GoBGP answer).
    return fail(
      wireError(
        ErrorCode.MessageHeader,
        HeaderSubcode.BadMessageLength,
        'session-reset',
        'Optional Parameters Length does not match the message Length',
        b.slice(16, 18),
      ),
    );
  }
  const headerSize = extended ? 3 : 2;
  const capabilities: Capability[] = [];
  const otherParameters: { type: number; value: Uint8Array }[] = [];
  for (let p = paramsStart; p < paramsEnd; ) {
    // RFC 4271 §6.2: a recognized Optional Parameter that is malformed is Unspecific (2/0).
    if (paramsEnd - p < headerSize)
      return openError(OpenSubcode.Unspecific, 'an optional parameter header is cut short');
    const type = b[p]!;
    const vs = p + headerSize;
    const ve = vs + (extended ? readU16(b, p + 1) : b[p + 1]!);
    if (ve > paramsEnd) return openError(OpenSubcode.Unspecific, `optional parameter ${type} overruns the parameters`);
    if (type === PARAM_CAPABILITIES) {
      const defect = readCapabilities(b, vs, ve, capabilities);
      if (defect !== undefined) return openError(OpenSubcode.Unspecific, defect);
    } else {
      otherParameters.push({ type, value: b.slice(vs, ve) }); // the session refuses it with 2/4
    }
    p = ve;
  }
  if (holdTime === 1 || holdTime === 2) return openError(OpenSubcode.UnacceptableHoldTime, `Hold Time ${holdTime}`); // RFC 4271 §6.2
  if (bgpId === 0) return openError(OpenSubcode.BadBgpIdentifier, 'BGP Identifier 0'); // RFC 6286 §2.2
  return ok({ type: 'OPEN', version, myAs, holdTime, bgpId, capabilities, otherParameters });
}

/**
 * All capabilities go in one Capabilities parameter, before the other parameters. The
 * RFC 9072 extended format is used only when a parameter or the whole list exceeds 255
 * octets, so peers without RFC 9072 read every OPEN that fits the old format.
 */
export function encodeOpen(msg: OpenMessage): Uint8Array {
  // The field is 2 octets: a 4-octet ASN goes in the capability, AS_TRANS here (RFC 6793 §4.1).
  if (msg.myAs > 0xffff)
    throw new RangeError(`My Autonomous System ${msg.myAs} needs AS_TRANS and the 4-octet AS capability`);
  const caps = new ByteWriter(256);
  for (const c of msg.capabilities) writeCapability(caps, c);
  const params: { type: number; value: Uint8Array }[] = [];
  if (caps.pos > 0) params.push({ type: PARAM_CAPABILITIES, value: caps.finish() });
  for (const o of msg.otherParameters) params.push(o);
  let total = 0;
  let fits = true;
  for (const p of params) {
    total += 2 + p.value.length;
    if (p.value.length > 255) fits = false;
  }
  if (total > 255) fits = false;
  // A first parameter of type 255 would read as the RFC 9072 marker: only the extended format can carry it.
  if (params[0]?.type === EXTENDED_PARAMS) fits = false;

  const w = new ByteWriter(HEADER_LENGTH + 10 + total + params.length + 3);
  w.pos = HEADER_LENGTH;
  w.u8(msg.version);
  w.u16(msg.myAs);
  w.u16(msg.holdTime);
  w.u32(msg.bgpId);
  if (fits) {
    w.u8(total);
    for (const p of params) {
      w.u8(p.type);
      w.u8(p.value.length);
      w.bytes(p.value);
    }
  } else {
    w.u8(EXTENDED_PARAMS); // Non-Ext OP Len (RFC 9072 §2 asks for 255)
    w.u8(EXTENDED_PARAMS); // Non-Ext OP Type
    w.u16(total + params.length); // each parameter length grows to 2 octets
    for (const p of params) {
      w.u8(p.type);
      w.u16(p.value.length);
      w.bytes(p.value);
    }
  }
  if (w.pos > MAX_MESSAGE_LENGTH) throw new RangeError(`OPEN of ${w.pos} octets exceeds ${MAX_MESSAGE_LENGTH}`);
  writeHeader(w.buf, MessageType.OPEN, w.pos);
  return w.finish();
}
