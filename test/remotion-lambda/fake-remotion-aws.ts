import * as fs from 'fs';
import type * as http from 'node:http';
import * as path from 'path';
import type { FakeLambda } from '../render-function/runtime/fake-lambda';

/**
 * What a deployed stack holds, as Remotion's client sees it through AWS: the render function
 * (listed by Lambda's ListFunctions, answering Remotion's `info` routine with its version) and
 * the bucket with the site files (S3's ListBuckets, ListObjectsV2, GetObject), plus STS's
 * GetCallerIdentity. Added to the shared `FakeLambda`, which still answers the `start` routine.
 */
export interface FakeDeployment {
  readonly account: string;
  readonly functionName: string;
  readonly memorySizeInMb: number;
  readonly timeoutInSeconds: number;
  readonly diskSizeInMb: number;
  /** What the function answers to Remotion's `info` routine. */
  readonly version: string;
  readonly bucketName: string;
  /** Site name -> local folder uploaded under `sites/<name>/`. */
  readonly sites: Record<string, string>;
  /** Other buckets in the account (e.g. a second remotionlambda-* bucket in the region). */
  readonly otherBuckets?: string[];
}

const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const MODIFIED = '2026-01-01T00:00:00.000Z';

export function addDeployment(fake: FakeLambda, deployment: FakeDeployment): void {
  const objects = new Map<string, Buffer>();
  for (const [site, dir] of Object.entries(deployment.sites)) {
    for (const file of fs.readdirSync(dir)) {
      objects.set(`sites/${site}/${file}`, fs.readFileSync(path.join(dir, file)));
    }
  }
  fake.addRoute((request, body, response) => answerLambda(deployment, request, body, response));
  fake.addRoute((request, body, response) => answerSts(deployment, request, body, response));
  fake.addRoute((request, _body, response) => answerS3(deployment, objects, request, response));
}

function answerLambda(d: FakeDeployment, request: http.IncomingMessage, body: string, response: http.ServerResponse): boolean {
  const url = new URL(request.url ?? '/', 'http://fake');
  if (request.method === 'GET' && /^\/2015-03-31\/functions\/?$/.test(url.pathname)) {
    sendJson(response, {
      Functions: [{
        FunctionName: d.functionName,
        FunctionArn: `arn:aws:lambda:us-east-1:${d.account}:function:${d.functionName}`,
        MemorySize: d.memorySizeInMb,
        Timeout: d.timeoutInSeconds,
        EphemeralStorage: { Size: d.diskSizeInMb },
      }],
    });
    return true;
  }
  const invoke = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(url.pathname);
  if (request.method === 'POST' && invoke && decodeURIComponent(invoke[1]) === d.functionName && JSON.parse(body).type === 'info') {
    sendJson(response, { type: 'success', version: d.version });
    return true;
  }
  return false;
}

function answerSts(d: FakeDeployment, request: http.IncomingMessage, body: string, response: http.ServerResponse): boolean {
  if (request.method !== 'POST' || !/Action=GetCallerIdentity/.test(body)) {
    return false;
  }
  response.writeHead(200, { 'content-type': 'text/xml' });
  response.end('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
    + `<Arn>arn:aws:sts::${d.account}:assumed-role/render/session</Arn><UserId>AROAFAKE:session</UserId><Account>${d.account}</Account>`
    + '</GetCallerIdentityResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></GetCallerIdentityResponse>');
  return true;
}

function answerS3(d: FakeDeployment, objects: Map<string, Buffer>, request: http.IncomingMessage, response: http.ServerResponse): boolean {
  if (request.method !== 'GET' || !/\/s3\/aws4_request/.test(request.headers.authorization ?? '')) {
    return false;
  }
  const url = new URL(request.url ?? '/', 'http://fake');
  const [, bucket, ...keyParts] = url.pathname.split('/').filter((part, index) => index === 0 || part !== '').map(decodeURIComponent);
  if (!bucket) {
    const names = [d.bucketName, ...(d.otherBuckets ?? [])];
    sendXml(response, `<ListAllMyBucketsResult xmlns="${S3_NS}"><Owner><ID>owner</ID></Owner><Buckets>`
      + names.map((name) => `<Bucket><Name>${name}</Name><CreationDate>${MODIFIED}</CreationDate></Bucket>`).join('')
      + '</Buckets></ListAllMyBucketsResult>');
    return true;
  }
  const own = bucket === d.bucketName ? objects : new Map<string, Buffer>();
  if (keyParts.length === 0 && url.searchParams.get('list-type') === '2') {
    const prefix = url.searchParams.get('prefix') ?? '';
    const keys = [...own.keys()].filter((key) => key.startsWith(prefix)).sort();
    sendXml(response, `<ListBucketResult xmlns="${S3_NS}"><Name>${bucket}</Name><Prefix>${prefix}</Prefix><KeyCount>${keys.length}</KeyCount>`
      + '<MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>'
      + keys.map((key) => `<Contents><Key>${key}</Key><LastModified>${MODIFIED}</LastModified><ETag>"e"</ETag>`
        + `<Size>${own.get(key)!.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`).join('')
      + '</ListBucketResult>');
    return true;
  }
  const object = own.get(keyParts.join('/'));
  if (object) {
    response.writeHead(200, { 'content-type': 'text/html', 'content-length': String(object.length), 'last-modified': new Date(MODIFIED).toUTCString() });
    response.end(object);
    return true;
  }
  response.writeHead(404, { 'content-type': 'application/xml' });
  response.end(`<Error><Code>NoSuchKey</Code><Message>The fake has no ${url.pathname}</Message></Error>`);
  return true;
}

function sendJson(response: http.ServerResponse, value: unknown): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify(value));
}

function sendXml(response: http.ServerResponse, xml: string): void {
  response.writeHead(200, { 'content-type': 'application/xml' });
  response.end(`<?xml version="1.0" encoding="UTF-8"?>${xml}`);
}
