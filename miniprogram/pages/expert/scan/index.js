// 扫码签到 / 签退 on site. Scan the requester's code, add the phone's
// position, send; then say in big plain words what happened and what to do.
// Without signal an offline code is kept on the phone and uploaded later;
// a refused location does not block (the server flags the visit instead).
const visits = require('../../../services/visits');
const offlineQueue = require('../../../services/offline-queue');
const location = require('../../../utils/location');

const LOG_URL = '/pages/expert/log/index';
const KIND = offlineQueue.KIND;
const KIND_WORD = Object.freeze({ [KIND.CHECK_IN]: '签到', [KIND.CHECK_OUT]: '签退' });

const LOCATION_PROBLEMS = Object.freeze({
  denied: {
    title: '未获得定位权限',
    text: '未获得定位权限，{kind}将被标记待核实，需要管理员核实后才计入服务时长。可以点「去设置」打开定位后再{kind}。',
  },
  system_off: {
    title: '手机定位没有打开',
    text: '请在手机的设置里打开「定位」或「GPS」，再点「重新定位」。也可以直接{kind}，{kind}将被标记待核实。',
  },
  unavailable: {
    title: '没有获取到位置',
    text: '可能在屋里或信号弱。可以走到空旷处点「重新定位」；也可以直接{kind}，{kind}将被标记待核实。',
  },
});

function fill(text, kind) {
  return text.replace(/\{kind\}/g, KIND_WORD[kind]);
}

/** A scan of the camera, resolving to the text, or null when the person backed out. */
function scanCode() {
  return new Promise((resolve, reject) => {
    wx.scanCode({
      onlyFromCamera: true,
      scanType: ['qrCode'],
      success: (res) => resolve((res && res.result) || ''),
      fail: (err) => {
        if (/cancel/.test((err && err.errMsg) || '')) {
          resolve(null);
        } else {
          reject(err);
        }
      },
    });
  });
}

Component({
  data: {
    phase: 'idle', // idle | locating | sending | success | failure | location | network | queued
    orderId: '',
    openVisit: null,
    kind: KIND.CHECK_IN,
    kindWord: '签到',
    result: null,
    failure: null,
    locationProblem: null,
    networkHint: '',
    queuedText: '',
    pendingCount: 0,
  },

  lifetimes: {
    detached() {
      if (this.stopWatching) {
        this.stopWatching();
      }
    },
  },

  pageLifetimes: {
    show() {
      this.uploadOffline();
    },
  },

  methods: {
    onLoad(query) {
      const orderId = String((query && query.order) || '');
      this.setData({ orderId, pendingCount: offlineQueue.count() });
      this.stopWatching = offlineQueue.watchNetwork(() => this.setData({ pendingCount: offlineQueue.count() }));
      if (query && query.visit) {
        // Opened from a task's 签退 button: the visit is known, no lookup needed.
        this.setData({ openVisit: { id: Number(query.visit), orderId: Number(orderId) || null, checkInText: '' } });
        return Promise.resolve();
      }
      return this.findOpenVisit();
    },

    /** Whether the expert is still checked in here, so the page offers 签退 instead of 签到. */
    findOpenVisit() {
      return visits.openVisit(this.data.orderId || undefined).then(
        (visit) => this.setData({ openVisit: visit || this.offlineOpenVisit() }),
        // Offline or a server hiccup: 签到 stays offered unless this phone
        // holds an offline check-in; a second online check-in would be
        // answered with visit_already_open, which offers 签退.
        () => this.setData({ openVisit: this.offlineOpenVisit() }),
      );
    },

    /** A check-in kept on the phone without signal is a visit to check out, though the server has no id for it yet. */
    offlineOpenVisit() {
      const kept = offlineQueue.pendingCheckIn(this.data.orderId);
      if (!kept) {
        return null;
      }
      return { id: null, orderId: kept.orderId, checkInText: '离线签到（待上传）', offline: true };
    },

    uploadOffline() {
      return offlineQueue.flushIfOnline().then(() => this.setData({ pendingCount: offlineQueue.count() }));
    },

    onScanIn() {
      return this.scanAndSend(KIND.CHECK_IN);
    },

    onScanOut() {
      return this.scanAndSend(KIND.CHECK_OUT);
    },

    /** 直接签退: no second scan (the requester may have left), only the position. */
    onDirectCheckOut() {
      this.attempt = { kind: KIND.CHECK_OUT, code: '', location: null, key: null };
      this.setData({ kind: KIND.CHECK_OUT, kindWord: '签退' });
      return this.locateAndSend();
    },

    scanAndSend(kind) {
      this.setData({ kind, kindWord: KIND_WORD[kind] });
      return scanCode().then(
        (text) => {
          if (text === null) {
            return null;
          }
          this.attempt = { kind, code: text.trim(), location: null, key: null };
          return this.locateAndSend();
        },
        () => this.showFailure({ title: '没有扫出来', advice: '请对准对方手机上的二维码再扫一次', detail: '' }),
      );
    },

    locateAndSend() {
      this.setData({ phase: 'locating' });
      return location.getLocation().then((fix) => {
        if (!fix.ok) {
          const problem = LOCATION_PROBLEMS[fix.reason] || LOCATION_PROBLEMS.unavailable;
          this.setData({
            phase: 'location',
            locationProblem: {
              reason: fix.reason,
              title: problem.title,
              text: fill(problem.text, this.attempt.kind),
            },
          });
          return null;
        }
        this.attempt.location = fix.location;
        return this.send();
      });
    },

    onOpenSetting() {
      return location.openLocationSetting().then((allowed) => (allowed ? this.locateAndSend() : null));
    },

    onRetryLocation() {
      return this.locateAndSend();
    },

    /** 仍要签到 / 仍要签退: send without a position; the server records it and flags the visit. */
    onSendWithoutLocation() {
      this.attempt.location = null;
      return this.send();
    },

    onRetrySend() {
      return this.send();
    },

    send() {
      const attempt = this.attempt;
      if (attempt.code && offlineQueue.isOfflineCode(attempt.code)) {
        return this.keepOffline();
      }
      this.setData({ phase: 'sending' });
      let call;
      if (attempt.kind === KIND.CHECK_IN) {
        const orderId = this.data.orderId || visits.orderIdOfCode(attempt.code);
        if (!orderId) {
          return Promise.resolve(this.showFailure(visits.describeScanFailure({ code: 'code_invalid', message: '' })));
        }
        call = visits.checkIn(orderId, attempt.code, attempt.location, { idempotencyKey: attempt.key });
      } else {
        if (!this.data.openVisit) {
          return Promise.resolve(this.showFailure({
            title: '没有找到要签退的服务', advice: '请先扫码签到', detail: '',
          }));
        }
        if (!this.data.openVisit.id) {
          // The check-in is still on this phone: only an offline code can be matched to it later.
          return Promise.resolve(this.showFailure({
            title: '离线签到还没有上传',
            advice: '请对方打开「离线签到码」再扫一次签退；或等有网络、签到上传后再签退',
            detail: '',
          }));
        }
        call = visits.checkOut(this.data.openVisit.id, { token: attempt.code, location: attempt.location },
          { idempotencyKey: attempt.key });
      }
      return call.then((visit) => this.showSuccess(attempt.kind, visit), (error) => this.showError(error));
    },

    /**
     * An offline code is saved before any upload is tried, so the scan is
     * on the phone even if the signal dies halfway; then it goes up at once
     * when there is network.
     */
    keepOffline() {
      const attempt = this.attempt;
      const kept = offlineQueue.enqueue({
        kind: attempt.kind,
        code: attempt.code,
        orderId: offlineQueue.orderIdOf(attempt.code),
        visitId: attempt.kind === KIND.CHECK_OUT && this.data.openVisit ? this.data.openVisit.id : null,
        location: attempt.location,
      });
      if (kept.status === 'full') {
        return Promise.resolve(this.showFailure({
          title: '手机里的离线记录太多了',
          advice: '请先到有信号的地方，把已保存的记录上传，再扫码',
          detail: `已有 ${kept.count} 条离线记录待上传`,
        }));
      }
      this.setData({ phase: 'sending' });
      return offlineQueue.flushIfOnline().then((result) => {
        const outcome = result && this.outcomeOf(attempt.code, result);
        this.setData({ pendingCount: offlineQueue.count() });
        if (outcome && outcome.visit) {
          return this.showSuccess(attempt.kind, visits.toVisitView(outcome.visit));
        }
        if (outcome && outcome.error) {
          return this.showError(outcome.error);
        }
        this.setData({
          openVisit: attempt.kind === KIND.CHECK_IN ? this.offlineOpenVisit() : null,
          phase: 'queued',
          queuedText: kept.status === 'duplicate'
            ? '这次扫码之前已经保存过了，不用再扫，有网络时自动上传'
            : '已离线保存，有网络时自动上传',
        });
        return null;
      });
    },

    outcomeOf(code, result) {
      const uploaded = result.uploaded.find((entry) => entry.ids.indexOf(code) >= 0);
      if (uploaded) {
        return { visit: uploaded.visit };
      }
      const rejected = result.rejected.find((entry) => entry.ids.indexOf(code) >= 0);
      return rejected ? { error: rejected.error } : null;
    },

    showSuccess(kind, visit) {
      const flagged = visit.flagLabels.length > 0;
      const checkOut = kind === KIND.CHECK_OUT;
      this.setData({
        phase: 'success',
        result: {
          title: checkOut ? '签退成功' : '签到成功',
          timeLabel: checkOut ? '签退时间' : '签到时间',
          timeText: checkOut ? visit.checkOutText : visit.checkInText,
          durationText: checkOut ? visit.durationText : '',
          repeated: visit.repeated,
          flagged,
          flagLabels: visit.flagLabels,
          visitId: visit.id,
          isCheckOut: checkOut,
        },
        openVisit: checkOut ? null : visit,
      });
      return visit;
    },

    showError(error) {
      if (error.code === 'network_error') {
        // The online code is a one-minute token: it cannot wait for signal,
        // only be re-sent soon (under the same key, so a send that did arrive
        // is not counted twice).
        this.attempt.key = error.idempotencyKey || this.attempt.key;
        this.setData({
          phase: 'network',
          networkHint: this.attempt.code
            ? '二维码约 1 分钟内有效：走到信号好一点的地方点「重试」；过期了请对方刷新后再扫。现场一直没有信号时，请对方打开「离线签到码」再扫，会先存在手机上，有网络时自动上传。'
            : '请走到信号好一点的地方点「重试」。现场一直没有信号时，请对方打开「离线签到码」，点「扫码签退」扫一次，会先存在手机上。',
        });
        return null;
      }
      if (error.status >= 500) {
        this.attempt.key = error.idempotencyKey || this.attempt.key;
      }
      const failure = visits.describeScanFailure(error);
      this.showFailure(failure);
      if (failure.offerCheckOut) {
        return this.findOpenVisit();
      }
      return null;
    },

    showFailure(failure) {
      this.setData({ phase: 'failure', failure });
      return null;
    },

    /** From 「您上次服务还没有签退」: go straight to checking that visit out. */
    onGoCheckOut() {
      this.setData({ phase: 'idle', failure: null, kind: KIND.CHECK_OUT, kindWord: '签退' });
    },

    onBackToStart() {
      this.setData({ phase: 'idle', failure: null, locationProblem: null, result: null });
    },

    onWriteLog() {
      wx.navigateTo({ url: `${LOG_URL}?visit=${this.data.result.visitId}` });
    },

    onDone() {
      wx.navigateBack({ delta: 1 });
    },
  },
});
