import {pinCommand} from './pin.js';

export default pinCommand(false);
