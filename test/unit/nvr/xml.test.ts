// ISAPI XML into typed objects, and clear errors for malformed or unexpected documents.
import { describe, expect, it } from 'vitest';
import {
  parseAlert,
  parseDeviceInfo,
  parseInputProxyChannels,
  parseSearchResult,
  parseStreamingChannels,
  searchRequestXml,
} from '../../../src/adapters/nvr/isapi/xml.js';

const NS = 'xmlns="http://www.hikvision.com/ver20/XMLSchema"';

describe('ISAPI XML', () => {
  it('reads deviceInfo', () => {
    const d = parseDeviceInfo(
      `<?xml version="1.0" encoding="UTF-8"?><DeviceInfo version="2.0" ${NS}><deviceName>Shop NVR</deviceName><model>DS-7608NXI-K2</model><serialNumber>DS-7608NXI-K20820210101CCRRF12345678WCVU</serialNumber><firmwareVersion>V4.62.210</firmwareVersion><deviceType>NVR</deviceType></DeviceInfo>`,
    );
    expect(d).toEqual({
      deviceName: 'Shop NVR',
      model: 'DS-7608NXI-K2',
      serialNumber: 'DS-7608NXI-K20820210101CCRRF12345678WCVU',
      firmwareVersion: 'V4.62.210',
      deviceType: 'NVR',
    });
  });

  it('reads channel lists, one or many, folding streams to cameras', () => {
    expect(
      parseInputProxyChannels(
        `<InputProxyChannelList ${NS}><InputProxyChannel><id>1</id><name>Till</name></InputProxyChannel></InputProxyChannelList>`,
      ),
    ).toEqual([{ id: 1, name: 'Till', online: undefined }]);
    const s = parseStreamingChannels(
      `<StreamingChannelList ${NS}><StreamingChannel><id>101</id><channelName>Door</channelName><enabled>true</enabled></StreamingChannel><StreamingChannel><id>102</id><channelName>Door</channelName></StreamingChannel><StreamingChannel><id>201</id><channelName>Till</channelName><enabled>false</enabled></StreamingChannel></StreamingChannelList>`,
    );
    expect(s).toEqual([
      { id: 1, name: 'Door', online: true },
      { id: 2, name: 'Till', online: false },
    ]);
    expect(parseInputProxyChannels(`<InputProxyChannelList ${NS}/>`)).toEqual([]);
  });

  it('reads a CMSearchResult with playbackURI (entities decoded) and one with no matches', () => {
    const r = parseSearchResult(
      `<CMSearchResult ${NS}><searchID>X</searchID><responseStatus>true</responseStatus><responseStatusStrg>OK</responseStatusStrg><numOfMatches>1</numOfMatches><matchList><searchMatchItem><trackID>101</trackID><timeSpan><startTime>2026-11-23T10:00:00Z</startTime><endTime>2026-11-23T10:00:15Z</endTime></timeSpan><mediaSegmentDescriptor><contentType>video</contentType><playbackURI>rtsp://10.0.0.5/Streaming/tracks/101/?starttime=20261123T100000Z&amp;endtime=20261123T100015Z&amp;name=ch01_08000000000000000&amp;size=1</playbackURI></mediaSegmentDescriptor></searchMatchItem></matchList></CMSearchResult>`,
    );
    expect(r.matches[0]?.playbackURI).toBe(
      'rtsp://10.0.0.5/Streaming/tracks/101/?starttime=20261123T100000Z&endtime=20261123T100015Z&name=ch01_08000000000000000&size=1',
    );
    expect(r.matches[0]?.trackId).toBe(101);
    expect(
      parseSearchResult(
        `<CMSearchResult ${NS}><responseStatusStrg>NO MATCHES</responseStatusStrg><numOfMatches>0</numOfMatches><matchList/></CMSearchResult>`,
      ).matches,
    ).toEqual([]);
  });

  it('builds a CMSearchDescription in the Hikvision time form', () => {
    const x = searchRequestXml({
      searchId: 'A<B',
      trackId: 101,
      from: new Date('2026-11-23T10:00:00.400Z'),
      to: new Date('2026-11-23T10:00:15Z'),
    });
    expect(x).toContain('<startTime>2026-11-23T10:00:00Z</startTime>');
    expect(x).toContain('<trackID>101</trackID>');
    expect(x).toContain('A&#60;B');
  });

  it('rejects malformed XML, the wrong root and bad event states with clear messages', () => {
    expect(() => parseDeviceInfo('<DeviceInfo><model>x</DeviceInfo>')).toThrow(
      /device information is not well-formed XML/,
    );
    expect(() => parseDeviceInfo(`<ResponseStatus ${NS}><statusCode>4</statusCode></ResponseStatus>`)).toThrow(
      /should be <DeviceInfo> but is <ResponseStatus>/,
    );
    expect(() => parseDeviceInfo(`<DeviceInfo ${NS}><deviceName>x</deviceName></DeviceInfo>`)).toThrow(
      /has no <model>/,
    );
    expect(() =>
      parseAlert(
        `<EventNotificationAlert><eventType>IO</eventType><eventState>maybe</eventState></EventNotificationAlert>`,
      ),
    ).toThrow(/eventState "maybe"/);
    try {
      parseDeviceInfo('not xml at all <');
    } catch (e) {
      expect((e as { code: string }).code).toBe('nvr-bad-response');
    }
  });
});
