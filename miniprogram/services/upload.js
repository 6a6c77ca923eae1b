/**
 * Photo upload through wx.uploadFile, the one other way (besides
 * request.js) the mini-program sends data to the backend: wx.request cannot
 * send multipart files. Same token, same one re-login on 401, same
 * ApiError shape with a Chinese message.
 */

const config = require('../config/index');
const storage = require('../utils/storage');
const {
  ApiError, NETWORK_ERROR_MESSAGE, parseBody, renewSession,
} = require('./request');

// A 2–3 MB photo on a rural 3G/4G signal can take a long while.
const UPLOAD_TIMEOUT_MS = 60000;
const UPLOAD_FAILED_MESSAGE = '照片没有传上去，请点重试';
const HAN = /[\u4e00-\u9fff]/;

/** The backend's origin: upload links are relative to it, not to the API base. */
function origin() {
  const match = /^(https?:\/\/[^/]+)/.exec(config.apiBaseUrl());
  return match ? match[1] : '';
}

function sendOnce(filePath, purpose, onProgress) {
  const token = storage.getAccessToken();
  const header = {};
  if (token) {
    header.Authorization = `Bearer ${token}`;
  }
  return new Promise((resolve, reject) => {
    const task = wx.uploadFile({
      url: `${config.apiBaseUrl()}/uploads`,
      filePath,
      name: 'file',
      formData: { purpose },
      header,
      timeout: UPLOAD_TIMEOUT_MS,
      success: (res) => resolve({ statusCode: res.statusCode, data: res.data, sentToken: token }),
      fail: (err) => reject(new ApiError({
        code: 'network_error',
        message: NETWORK_ERROR_MESSAGE,
        detail: (err && err.errMsg) || '',
      })),
    });
    if (onProgress && task && typeof task.onProgressUpdate === 'function') {
      task.onProgressUpdate((res) => onProgress(res.progress));
    }
  });
}

function toPhoto(response) {
  const body = parseBody(response.data) || {};
  if (response.statusCode >= 200 && response.statusCode < 300 && body.id) {
    return { id: String(body.id), url: body.url ? origin() + body.url : '' };
  }
  const error = body.error || {};
  throw new ApiError({
    code: error.code || `http_${response.statusCode}`,
    message: typeof error.message === 'string' && HAN.test(error.message) ? error.message : UPLOAD_FAILED_MESSAGE,
    fields: error.fields,
    status: response.statusCode,
  });
}

/**
 * Upload one photo and resolve to {id, url}. onProgress(percent) is called
 * while it goes up.
 */
function uploadPhoto(filePath, { purpose = 'order_photo', onProgress } = {}) {
  return sendOnce(filePath, purpose, onProgress)
    .then((response) => {
      if (response.statusCode === 401) {
        // The renewal request.js shares: photos and API calls meeting an
        // expired token together cause one re-login between them.
        return renewSession(response.sentToken).then(() => sendOnce(filePath, purpose, onProgress));
      }
      return response;
    })
    .then(toPhoto);
}

module.exports = {
  uploadPhoto,
};
