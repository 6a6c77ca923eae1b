// 服务日志 after check-out: what was done, how many problems were solved,
// how many people were served and trained, photos. Typing in a field is
// slow, so common phrases are a tap away and numbers have −/+ buttons; every
// change is kept as a draft so a dropped signal or a call costs nothing.
const visits = require('../../../services/visits');
const upload = require('../../../services/upload');

const MAX_PHOTOS = 9;
const CONTENT_MIN = 5;
const PHRASES = Object.freeze([
  '现场查看了病虫害情况',
  '讲解了防治方法和用药时间',
  '示范了修剪和管理技术',
  '组织了集中培训',
  '解答了村民提出的问题',
  '留下了联系方式，后续电话指导',
]);
const COUNTERS = Object.freeze({
  problemsSolved: { min: 0, max: 100 },
  peopleServed: { min: 0, max: 100000 },
  peopleTrained: { min: 0, max: 100000 },
});

function emptyForm() {
  return { content: '', problemsSolved: 1, problems: '', peopleServed: 0, peopleTrained: 0, photos: [] };
}

function clamp(field, value) {
  const limits = COUNTERS[field];
  const number = Math.floor(Number(value));
  if (!Number.isFinite(number)) {
    return limits.min;
  }
  return Math.min(limits.max, Math.max(limits.min, number));
}

Component({
  data: {
    visitId: '',
    phrases: PHRASES,
    form: emptyForm(),
    errors: {},
    formError: '',
    submitting: false,
    done: false,
    maxPhotos: MAX_PHOTOS,
  },

  methods: {
    onLoad(query) {
      const visitId = String((query && query.visit) || '');
      const draft = visits.loadLogDraft(visitId);
      // Photos still uploading when the page closed are lost with their temp files; keep only finished ones.
      const photos = (draft.photos || []).filter((photo) => photo.id);
      this.setData({ visitId, form: Object.assign(emptyForm(), draft, { photos }) });
    },

    keepDraft() {
      const form = this.data.form;
      visits.saveLogDraft(this.data.visitId, Object.assign({}, form, {
        photos: form.photos.filter((photo) => photo.id),
      }));
    },

    change(patch) {
      const data = { formError: '' };
      Object.keys(patch).forEach((key) => {
        data[`form.${key}`] = patch[key];
        data[`errors.${key}`] = '';
      });
      this.setData(data);
      this.keepDraft();
    },

    onContentInput(event) {
      this.change({ content: event.detail.value });
    },

    onProblemsInput(event) {
      this.change({ problems: event.detail.value });
    },

    onInsertPhrase(event) {
      const phrase = PHRASES[Number(event.currentTarget.dataset.index)];
      const current = this.data.form.content.trim();
      this.change({ content: current ? `${current}；${phrase}` : phrase });
    },

    onStep(event) {
      const { field, step } = event.currentTarget.dataset;
      this.change({ [field]: clamp(field, Number(this.data.form[field]) + Number(step)) });
    },

    onCountInput(event) {
      const { field } = event.currentTarget.dataset;
      this.change({ [field]: clamp(field, event.detail.value) });
    },

    onAddPhotos() {
      const room = MAX_PHOTOS - this.data.form.photos.length;
      if (room <= 0) {
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        wx.chooseMedia({
          count: room,
          mediaType: ['image'],
          sourceType: ['camera', 'album'],
          sizeType: ['compressed'],
          success: (res) => resolve((res.tempFiles || []).map((file) => file.tempFilePath)),
          fail: () => resolve([]),
        });
      }).then((paths) => {
        const added = paths.map((path, i) => ({ key: `${Date.now()}-${i}`, path, id: '', url: '', state: 'uploading' }));
        this.change({ photos: this.data.form.photos.concat(added) });
        return Promise.all(added.map((photo) => this.uploadOne(photo.key)));
      });
    },

    uploadOne(key) {
      const photo = this.data.form.photos.find((item) => item.key === key);
      if (!photo) {
        return Promise.resolve();
      }
      this.setPhoto(key, { state: 'uploading' });
      return upload.uploadPhoto(photo.path, { purpose: 'log_photo' }).then(
        (uploaded) => this.setPhoto(key, { id: uploaded.id, url: uploaded.url, state: 'done' }),
        () => this.setPhoto(key, { state: 'failed' }),
      );
    },

    setPhoto(key, patch) {
      const photos = this.data.form.photos.map((item) => (item.key === key ? Object.assign({}, item, patch) : item));
      this.change({ photos });
    },

    onRetryPhoto(event) {
      return this.uploadOne(event.currentTarget.dataset.key);
    },

    onRemovePhoto(event) {
      const key = event.currentTarget.dataset.key;
      this.change({ photos: this.data.form.photos.filter((item) => item.key !== key) });
    },

    validate() {
      const form = this.data.form;
      const errors = {};
      if (form.content.trim().length < CONTENT_MIN) {
        errors.content = `请写几句服务内容（至少 ${CONTENT_MIN} 个字），可以点上面的常用语`;
      }
      if (form.photos.some((photo) => photo.state === 'uploading')) {
        errors.photos = '照片还在上传，请稍等';
      } else if (form.photos.some((photo) => photo.state === 'failed')) {
        errors.photos = '有照片没有传上去，请点「重试」或删掉';
      }
      return errors;
    },

    onSubmit() {
      if (this.data.submitting) {
        return Promise.resolve();
      }
      const errors = this.validate();
      if (Object.keys(errors).length) {
        this.setData({ errors, formError: '还有没填好的地方，请看红字' });
        return Promise.resolve();
      }
      this.setData({ submitting: true, formError: '', errors: {} });
      return visits.writeLog(this.data.visitId, this.data.form, { idempotencyKey: this.submitKey }).then(
        () => {
          this.submitKey = null;
          visits.clearLogDraft(this.data.visitId);
          this.setData({ submitting: false, done: true });
          wx.showToast({ title: '日志已提交', icon: 'success' });
        },
        (error) => {
          // Keep the key: a retry of a submit that did arrive is answered, not repeated.
          this.submitKey = error.idempotencyKey || this.submitKey;
          this.setData({
            submitting: false,
            errors: visits.logErrorsFrom(error.fields),
            formError: error.message,
          });
        },
      );
    },

    onBack() {
      wx.navigateBack({ delta: 1 });
    },
  },
});
