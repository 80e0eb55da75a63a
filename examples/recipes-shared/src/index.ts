export { ERROR_HTTP, RESULT_HTTP, errorAnswer, resultAnswer, jsonAnswer, notSignedIn, toResponse, type HttpAnswer, type Mapping } from './http.js';
export { recipeTwoFactor, fieldsOf, verifyInputOf, USER_HEADER, type RecipeTwoFactor } from './twofa.js';
