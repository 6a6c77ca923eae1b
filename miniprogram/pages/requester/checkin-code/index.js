// The check-in code the expert scans on arrival and at check-out, drawn on
// this phone from a short-lived signed token and replaced before it runs
// out. Without signal it shows an offline code derived from the day secrets
// kept on the phone. As soon as the expert has checked out, the same screen
// becomes the rating form: a form on the screen the person is already
// looking at gets answered, a link sent later does not.
// Opened as ?id=<order> (the code), or ?id=<order>&visit=<visit> (rate that visit).
const checkin = require('../../../services/checkin');
const feedback = require('../../../services/feedback');
const orders = require('../../../services/orders');
const upload = require('../../../services/upload');

// While the expert is on site, ask more often so the rating form appears
// within seconds of check-out, not at the next refresh.
const OPEN_VISIT_POLL_SECONDS = 10;
// Offline: try the network again this often, and show the online code when it is back.
const OFFLINE_RETRY_SECONDS = 15;
const MAX_RATING_PHOTOS = 3;
const REASON_MIN = 2;
const BRIGHTNESS = 0.9;

const SCORE_FIELDS = Object.freeze([
  { key: 'overall', label: '总体满意' },
  { key: 'attitude', label: '服务态度' },
  { key: 'expertise', label: '专业水平' },
]);
const SCORE_WORDS = Object.freeze(['', '很不满意', '不满意', '一般', '满意', '非常满意']);
const COMMENT_PHRASES = Object.freeze([
  '讲得清楚，一听就懂',
  '手把手教，很耐心',
  '来得准时',
  '问题还没完全解决',
  '希望再来一次',
]);
const REVISIT_REASONS = Object.freeze([
  '问题还没解决',
  '想请专家再看看效果',
  '又出现了新问题',
]);
const TITLES = Object.freeze({
  code: '出示签到码',
  rating: '评价这次服务',
});

let photoSeq = 0;

function emptyRating() {
  return {
    overall: 0,
    attitude: 0,
    expertise: 0,
    solved: '',
    comment: '',
    photos: [],
  };
}

function emptyRevisit() {
  return { open: false, reason: '', picked: -1, error: '', sending: false };
}

Component({
  data: {
    // loading | code | offline | error | rating | thanks | closed | revisit-sent
    mode: 'loading',
    orderId: '',
    errorMessage: '',
    // the online code
    token: '',
    secondsLeft: 0,
    openVisit: false,
    refreshing: false,
    // the offline code
    offlineText: '',
    offlineCode: '',
    // the rating
    visitId: null,
    scoreFields: SCORE_FIELDS,
    scoreWords: SCORE_WORDS,
    stars: [1, 2, 3, 4, 5],
    solvedOptions: feedback.SOLVED_OPTIONS,
    commentPhrases: COMMENT_PHRASES,
    maxPhotos: MAX_RATING_PHOTOS,
    rating: emptyRating(),
    ratingErrors: {},
    ratingError: '',
    sending: false,
    // after the rating
    concluding: false,
    concludeError: '',
    revisitReasons: REVISIT_REASONS,
    revisit: emptyRevisit(),
  },

  lifetimes: {
    detached() {
      this.stopTimers();
      this.restoreScreen();
    },
  },

  pageLifetimes: {
    show() {
      this.visible = true;
      if (this.data.mode === 'code' || this.data.mode === 'offline') {
        this.brightenScreen();
        // Timers were stopped while hidden: the code shown may have run out.
        this.fetchCode();
      }
    },
    hide() {
      this.visible = false;
      this.stopTimers();
      this.restoreScreen();
    },
  },

  methods: {
    onLoad(query) {
      const orderId = String((query && query.id) || '');
      const visitId = Number(query && query.visit) || null;
      this.setData({ orderId });
      this.visible = true;
      if (visitId) {
        this.showRating(visitId);
        return Promise.resolve();
      }
      this.setTitle(TITLES.code);
      this.brightenScreen();
      return this.fetchCode();
    },

    onUnload() {
      this.stopTimers();
      this.restoreScreen();
    },

    setTitle(title) {
      if (typeof wx.setNavigationBarTitle === 'function') {
        wx.setNavigationBarTitle({ title });
      }
    },

    // ---------------------------------------------------------------- screen

    brightenScreen() {
      if (this.screenRaised) {
        return;
      }
      this.screenRaised = true;
      // Keep the code on screen while the expert gets the camera ready.
      wx.setKeepScreenOn({ keepScreenOn: true });
      if (typeof wx.getScreenBrightness === 'function' && typeof wx.setScreenBrightness === 'function') {
        wx.getScreenBrightness({
          success: (res) => {
            if (!this.screenRaised) {
              return;
            }
            this.savedBrightness = res.value;
            if (res.value < BRIGHTNESS) {
              wx.setScreenBrightness({ value: BRIGHTNESS });
            }
          },
          fail: () => {},
        });
      }
    },

    restoreScreen() {
      if (!this.screenRaised) {
        return;
      }
      this.screenRaised = false;
      wx.setKeepScreenOn({ keepScreenOn: false });
      if (typeof this.savedBrightness === 'number' && typeof wx.setScreenBrightness === 'function') {
        wx.setScreenBrightness({ value: this.savedBrightness });
      }
      this.savedBrightness = undefined;
    },

    // ---------------------------------------------------------------- timers

    stopTimers() {
      clearTimeout(this.nextFetch);
      clearInterval(this.ticker);
      this.nextFetch = null;
      this.ticker = null;
    },

    scheduleFetch(seconds) {
      clearTimeout(this.nextFetch);
      this.nextFetch = setTimeout(() => this.onTimer(() => this.fetchCode()), seconds * 1000);
    },

    startTicker() {
      clearInterval(this.ticker);
      this.ticker = setInterval(() => this.onTimer(() => this.tick()), 1000);
    },

    // A view that is gone (torn down without a detach, as tools that render
    // pages off the phone do) throws on setData: stop ticking instead of
    // failing every second from then on.
    onTimer(work) {
      try {
        const result = work();
        if (result && typeof result.catch === 'function') {
          result.catch(() => this.stopTimers());
        }
      } catch (err) {
        this.stopTimers();
      }
    },

    tick() {
      if (this.data.mode === 'code') {
        this.setData({ secondsLeft: Math.max(0, this.data.secondsLeft - 1) });
      } else if (this.data.mode === 'offline') {
        this.showOfflineCode();
      }
    },

    // ---------------------------------------------------------------- the code

    fetchCode() {
      if (this.fetching) {
        return this.fetching;
      }
      const orderId = this.data.orderId;
      if (this.data.mode === 'code') {
        this.setData({ refreshing: true });
      }
      this.fetching = checkin.getCheckinCode(orderId).then(
        (code) => {
          this.fetching = null;
          if (!this.visible || this.rated()) {
            return;
          }
          if (code.rateVisitId) {
            this.showRating(code.rateVisitId);
            return;
          }
          const wasOnline = this.secretsFetched;
          this.setData({
            mode: 'code',
            token: code.token,
            secondsLeft: code.expiresIn,
            openVisit: code.openVisit,
            refreshing: false,
            errorMessage: '',
          });
          this.brightenScreen();
          this.startTicker();
          // Replace the code before it runs out; while a visit is open, ask
          // often enough to turn into the rating form soon after check-out.
          this.scheduleFetch(code.openVisit ? Math.min(code.refreshIn, OPEN_VISIT_POLL_SECONDS) : code.refreshIn);
          if (!wasOnline) {
            this.secretsFetched = true;
            // For the next time there is no signal; failing here costs nothing now.
            checkin.refreshOfflineSecrets(orderId).catch(() => {
              this.secretsFetched = false;
            });
          }
        },
        (error) => {
          this.fetching = null;
          if (!this.visible || this.rated()) {
            return;
          }
          this.setData({ refreshing: false });
          if (error.code === 'network_error') {
            this.showOfflineCode();
            this.scheduleFetch(OFFLINE_RETRY_SECONDS);
            return;
          }
          this.stopTimers();
          this.setData({ mode: 'error', errorMessage: error.message, token: '' });
        },
      );
      return this.fetching;
    },

    /** Show the code derived on the phone; without stored secrets say how to get them. */
    showOfflineCode() {
      const code = checkin.offlineCodeNow(Number(this.data.orderId));
      if (!code) {
        this.stopTimers();
        this.setData({
          mode: 'error',
          token: '',
          errorMessage: '现在没有网络，手机里也没有这个需求单的离线签到码。请到有信号的地方打开一次本页，之后没信号也能出示。',
        });
        return;
      }
      const entering = this.data.mode !== 'offline';
      if (entering || code.text !== this.data.offlineText || code.secondsLeft !== this.data.secondsLeft) {
        this.setData({
          mode: 'offline',
          token: '',
          offlineText: code.text,
          offlineCode: code.code,
          secondsLeft: code.secondsLeft,
        });
      }
      if (entering) {
        this.brightenScreen();
        this.startTicker();
      }
    },

    onRefresh() {
      this.stopTimers();
      return this.fetchCode();
    },

    onRetry() {
      this.setData({ mode: 'loading', errorMessage: '' });
      return this.fetchCode();
    },

    onBack() {
      wx.navigateBack({ delta: 1 });
    },

    // ---------------------------------------------------------------- rating

    rated() {
      return ['rating', 'thanks', 'closed', 'revisit-sent'].indexOf(this.data.mode) >= 0;
    },

    showRating(visitId) {
      this.stopTimers();
      this.restoreScreen();
      this.setTitle(TITLES.rating);
      this.setData({
        mode: 'rating',
        visitId,
        token: '',
        rating: emptyRating(),
        ratingErrors: {},
        ratingError: '',
      });
    },

    onStar(event) {
      const { field, score } = event.currentTarget.dataset;
      this.setData({ [`rating.${field}`]: Number(score), [`ratingErrors.${field}`]: '' });
    },

    onSolved(event) {
      this.setData({ 'rating.solved': event.currentTarget.dataset.value, 'ratingErrors.solved': '' });
    },

    onCommentInput(event) {
      this.setData({ 'rating.comment': event.detail.value });
    },

    onCommentPhrase(event) {
      const phrase = event.currentTarget.dataset.phrase;
      const current = this.data.rating.comment.trim();
      if (current.indexOf(phrase) >= 0) {
        return;
      }
      this.setData({ 'rating.comment': current ? `${current}，${phrase}` : phrase });
    },

    onAddPhotos() {
      const room = MAX_RATING_PHOTOS - this.data.rating.photos.length;
      if (room <= 0) {
        return;
      }
      wx.chooseMedia({
        count: room,
        mediaType: ['image'],
        sourceType: ['album', 'camera'],
        sizeType: ['compressed'],
        success: (res) => {
          const added = (res.tempFiles || []).slice(0, room).map((file) => {
            photoSeq += 1;
            return { key: `rp-${photoSeq}`, id: '', localPath: file.tempFilePath, status: 'uploading' };
          });
          this.setData({ 'rating.photos': this.data.rating.photos.concat(added) });
          added.forEach((photo) => this.uploadPhoto(photo.key));
        },
      });
    },

    updatePhoto(key, patch) {
      const index = this.data.rating.photos.findIndex((photo) => photo.key === key);
      if (index >= 0) {
        this.setData({ [`rating.photos[${index}]`]: Object.assign({}, this.data.rating.photos[index], patch) });
      }
    },

    uploadPhoto(key) {
      const photo = this.data.rating.photos.find((each) => each.key === key);
      if (!photo) {
        return Promise.resolve();
      }
      this.updatePhoto(key, { status: 'uploading' });
      return upload.uploadPhoto(photo.localPath, { purpose: 'rating_photo' }).then(
        (uploaded) => this.updatePhoto(key, { id: uploaded.id, status: 'done' }),
        () => this.updatePhoto(key, { status: 'failed' }),
      );
    },

    onRetryPhoto(event) {
      return this.uploadPhoto(event.currentTarget.dataset.key);
    },

    onRemovePhoto(event) {
      const { key } = event.currentTarget.dataset;
      this.setData({ 'rating.photos': this.data.rating.photos.filter((photo) => photo.key !== key) });
    },

    validateRating() {
      const { rating } = this.data;
      const errors = {};
      SCORE_FIELDS.forEach((field) => {
        if (!rating[field.key]) {
          errors[field.key] = `请给「${field.label}」点星星`;
        }
      });
      if (!rating.solved) {
        errors.solved = '请点一下问题解决了没有';
      }
      if (rating.photos.some((photo) => photo.status === 'uploading')) {
        errors.photos = '照片还在上传，请稍等';
      } else if (rating.photos.some((photo) => photo.status === 'failed')) {
        errors.photos = '有照片没传上去，请点「重试」或删掉';
      }
      return errors;
    },

    onSubmitRating() {
      if (this.data.sending) {
        return Promise.resolve();
      }
      const errors = this.validateRating();
      const missing = Object.keys(errors).length;
      if (missing) {
        this.setData({ ratingErrors: errors, ratingError: `还有 ${missing} 处没有填，请看红字` });
        return Promise.resolve();
      }
      this.setData({ sending: true, ratingErrors: {}, ratingError: '' });
      return feedback.rateVisit(this.data.visitId, this.data.rating).then(
        () => {
          this.setData({ sending: false, mode: 'thanks' });
          this.setTitle('谢谢您的评价');
        },
        (error) => {
          this.setData({ sending: false, ratingError: error.message });
        },
      );
    },

    // ---------------------------------------------------------------- after the rating

    onConfirmSolved() {
      if (this.data.concluding) {
        return Promise.resolve();
      }
      this.setData({ concluding: true, concludeError: '' });
      return orders.confirmSolved(this.data.orderId).then(
        () => this.setData({ concluding: false, mode: 'closed' }),
        (error) => this.setData({ concluding: false, concludeError: error.message }),
      );
    },

    onOpenRevisit() {
      this.setData({ revisit: Object.assign(emptyRevisit(), { open: true }), concludeError: '' });
    },

    onCloseRevisit() {
      if (!this.data.revisit.sending) {
        this.setData({ revisit: emptyRevisit() });
      }
    },

    onPickRevisitReason(event) {
      const index = Number(event.currentTarget.dataset.index);
      this.setData({
        'revisit.picked': index,
        'revisit.reason': REVISIT_REASONS[index],
        'revisit.error': '',
      });
    },

    onRevisitInput(event) {
      this.setData({ 'revisit.picked': -1, 'revisit.reason': event.detail.value, 'revisit.error': '' });
    },

    onSendRevisit() {
      const { revisit } = this.data;
      if (revisit.sending) {
        return Promise.resolve();
      }
      const reason = revisit.reason.trim();
      if (reason.length < REASON_MIN) {
        this.setData({ 'revisit.error': '请点一个原因，或写几个字说明为什么还要再来' });
        return Promise.resolve();
      }
      this.setData({ 'revisit.sending': true, 'revisit.error': '' });
      return orders.requestRevisit(this.data.orderId, reason).then(
        () => this.setData({ revisit: emptyRevisit(), mode: 'revisit-sent' }),
        (error) => this.setData({ 'revisit.sending': false, 'revisit.error': error.message }),
      );
    },

    onOpenOrder() {
      wx.redirectTo({ url: `/pages/requester/order-detail/index?id=${this.data.orderId}` });
    },
  },
});
