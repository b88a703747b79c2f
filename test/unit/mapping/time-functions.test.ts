import { describe, expect, it } from 'vitest';
import { run, type Row } from './run-expression.js';

const hire = { StatusHireDate: '2012-03-16-07:00' };
const contractEndTicks = ((BigInt(Date.UTC(2021, 0, 1, 7, 59, 59)) + 11_644_473_600_000n) * 10_000n).toString();

const tables: Record<string, Row[]> = {
  CDate: [
    ['CStr(CDate([StatusHireDate]))', { StatusHireDate: '2020-03-16-07:00' }, '3/16/2020 7:00:00 AM'],
    ['CStr(CDate("2021-06-30+08:00"))', {}, '6/29/2021 4:00:00 PM'],
    ['CStr(CDate("2009-06-15T01:45:30-07:00"))', {}, '6/15/2009 8:45:30 AM'],
    ['CStr(CDate("8/25/2021 5:41:18 PM"))', {}, '8/25/2021 5:41:18 PM'],
    ['CDate("2020-01-02T03:04:05Z")', {}, new Date('2020-01-02T03:04:05Z')],
    ['CDate([missing])', {}, null],
    ['CDate("not a date")', {}, { error: 'invalidDate' }],
    ['CDate("2021-02-30")', {}, { error: 'invalidDate' }],
    ['CDate([dates])', { dates: ['2021-01-01', '2021-01-02'] }, { error: 'typeMismatch' }],
  ],
  DateAdd: [
    ['CStr(DateAdd("d", 7, CDate([StatusHireDate])))', hire, '3/23/2012 7:00:00 AM'],
    ['CStr(DateAdd("d", -10, CDate([StatusHireDate])))', hire, '3/6/2012 7:00:00 AM'],
    ['CStr(DateAdd("ww", 2, CDate([StatusHireDate])))', hire, '3/30/2012 7:00:00 AM'],
    ['CStr(DateAdd("m", 10, CDate([StatusHireDate])))', hire, '1/16/2013 7:00:00 AM'],
    ['CStr(DateAdd("yyyy", 2, CDate([StatusHireDate])))', hire, '3/16/2014 7:00:00 AM'],
    ['CStr(DateAdd("h", 30, CDate([StatusHireDate])))', hire, '3/17/2012 1:00:00 PM'],
    ['CStr(DateAdd("m", 1, CDate("2021-01-31")))', {}, '2/28/2021 12:00:00 AM'],
    ['CStr(DateAdd("n", 90, Now()))', {}, '7/2/2021 5:03:38 PM'],
    ['DateAdd("d", 1, [missing])', {}, null],
    ['DateAdd([interval], 1, Now())', { interval: 'q' }, { error: 'invalidArgument' }],
    ['DateAdd("d", 1, [dates])', { dates: ['2021-01-01'] }, { error: 'typeMismatch' }],
  ],
  DateDiff: [
    ['DateDiff("d", CDate("2021-08-18+08:00"), CDate("2021-08-31+08:00"))', {}, 13],
    ['DateDiff("d", CDate("8/25/2021 5:41:18 PM"), CDate("2012-03-16-07:00"))', {}, -3449],
    ['DateDiff("ww", CDate("8/25/2021 5:41:18 PM"), CDate("2012-03-16-07:00"))', {}, -493],
    ['DateDiff("m", CDate("8/25/2021 5:41:18 PM"), CDate("2012-03-16-07:00"))', {}, -113],
    ['DateDiff("yyyy", CDate("8/25/2021 5:41:18 PM"), CDate("2012-03-16-07:00"))', {}, -9],
    ['DateDiff("d", CDate("2021-08-31+08:00"), CDate("2021-08-31+08:00"))', {}, 0],
    ['DateDiff("h", CDate("2021-08-24"), CDate("2021-08-25"))', {}, 24],
    ['DateDiff("n", CDate("2021-08-24"), CDate("2021-08-25"))', {}, 1440],
    ['DateDiff("s", CDate("2021-08-24"), CDate("2021-08-25"))', {}, 86400],
    ['DateDiff("d", Now(), [hire])', { hire: '2021-07-12' }, 10],
    ['DateDiff("d", Now(), [missing])', {}, null],
  ],
  DateFromNum: [
    ['CStr(DateFromNum(129699324000000000))', {}, '1/1/2012 11:00:00 PM'],
    ['CStr(DateFromNum([lastLogonTimestamp]))', { lastLogonTimestamp: '129699324000000000' }, '1/1/2012 11:00:00 PM'],
    ['DateFromNum([missing])', {}, null],
    ['DateFromNum("früh")', {}, { error: 'typeMismatch' }],
    ['DateFromNum([list])', { list: ['1'] }, { error: 'typeMismatch' }],
  ],
  FormatDateTime: [
    ['FormatDateTime([extensionAttribute1], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")', { extensionAttribute1: '20150123105347.1Z' }, '2015-01-23'],
    ['FormatDateTime([endDate], ,"M/d/yyyy hh:mm:ss tt","yyyy-MM-dd HH:mm")', { endDate: '12/31/2020 11:59:59 PM' }, '2020-12-31 23:59'],
    ['FormatDateTime([ContractEndDate], ,"yyyy-MM-ddzzz", "yyyy-MM-dd")', { ContractEndDate: '2020-12-31-08:00' }, '2020-12-31'],
    ['FormatDateTime([d], , "yyyyMMdd", "dddd d MMMM yyyy")', { d: '20150123' }, 'Friday 23 January 2015'],
    ['FormatDateTime([d], , "dd MMM yy", "yyyy\'年\'MM\'月\'")', { d: '05 Mar 99' }, '1999年03月'],
    ['FormatDateTime([d], , "yyyyMMdd", "yyyy-MM-dd")', { d: ['20150123', '20160229'] }, ['2015-01-23', '2016-02-29']],
    ['FormatDateTime([missing], , "yyyyMMdd", "yyyy-MM-dd")', {}, null],
    ['FormatDateTime([d], , "yyyyMMdd", "yyyy-MM-dd")', { d: '2015-01-23' }, { error: 'invalidDate' }],
  ],
  Now: [
    ['CStr(Now())', {}, '7/2/2021 3:33:38 PM'],
    ['Now()', {}, new Date('2021-07-02T15:33:38Z')],
  ],
  NumFromDate: [
    ['NumFromDate("2012-01-01T23:00:00Z")', {}, '129699324000000000'],
    ['NumFromDate(Join("", FormatDateTime([ContractEndDate], ,"yyyy-MM-ddzzz", "yyyy-MM-dd"), " 23:59:59-08:00"))', { ContractEndDate: '2020-12-31-08:00' }, contractEndTicks],
    ['NumFromDate([missing])', {}, null],
    ['NumFromDate("späť")', {}, { error: 'invalidDate' }],
  ],
};

describe.each(Object.entries(tables))('%s', (_name, rows) => {
  it.each(rows)('%s with %j gives %j', (expression, attributes, expected) => {
    expect(run(expression, attributes)).toEqual(expected);
  });
});
